"""Time the funding engine: a 35-year schedule for the NATO members and a large ledger.

Prints JSON: the 2023 envelope at 0.25% of GDP, seconds per schedule, and seconds to post
``--entries`` entries one at a time and as one batch, then to check their invariants.

Usage: python bench/funding.py [--entries N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from pfund.domain import LedgerEntry
from pfund.funding import (
    FundingRule,
    Ledger,
    check_invariants,
    commit,
    disburse,
    pledge,
    receipt,
    release,
    schedule,
)
from pfund.io.dataset import load_dataset

AT = datetime(2030, 1, 1, tzinfo=UTC)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return round(time.perf_counter() - start, 4)


def entries(count: int) -> list[LedgerEntry]:
    """Rounds of pledge, receipt, commit, release and disburse of one cent less each time."""
    out: list[LedgerEntry] = []
    for i in range(count // 5):
        ids = {"project_id": f"P{i % 50}", "tranche_id": f"T{i}"}
        amount = Decimal(1000)
        out += [
            pledge(AT, amount, contributor="DEU"),
            receipt(AT, amount, contributor="DEU"),
            commit(AT, amount, **ids),
            release(AT, amount, **ids),
            disburse(AT, amount - Decimal("0.01"), **ids),
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    args = parser.parse_args()
    nato = load_dataset().contributors
    years = list(range(2026, 2061))
    rule = FundingRule(kind="capped_share", cap_share_of_total=Decimal("0.4"))
    batch = entries(args.entries)

    def one_by_one() -> None:
        ledger = Ledger()
        for entry in batch:
            ledger = ledger.post(entry)

    result = {
        "envelope_2023_usd": str(schedule(nato, FundingRule(), years=[2023]).envelope()[2023]),
        "schedule_35_years_capped_s": timed(lambda: schedule(nato, rule, years=years)),
        "entries": len(batch),
        "post_one_by_one_s": timed(one_by_one),
        "post_all_s": timed(lambda: Ledger().post_all(batch)),
        "check_invariants_s": timed(lambda: check_invariants(batch)),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
