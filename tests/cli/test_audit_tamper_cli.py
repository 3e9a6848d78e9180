"""From the CLI: a direct edit or removal of any covered row is named by ``audit verify``.

One store per database is put through normal use (demo, contributions, approve, a
condition met, release and payment, screening with a review decision); then each
tamper is applied with raw SQL (triggers dropped, as an owner of the database could),
``pfund audit verify`` must exit 1 and name the row in words, and the tamper is undone
so the next one starts from an intact store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, text

from pfund.store import make_engine
from tests.cli.conftest import Invoke, as_json
from tests.cli.test_screen_cli import SAMPLE, flat
from tests.tamper import insert_behind, tamper

EVIDENCE = (
    "--evidence",
    "OSCE monitoring report on the line of contact",
    "--verifier",
    "osce_monitoring",
)


@dataclass
class Used:
    cli: Invoke
    engine: Engine
    released: str
    stage2: str
    hit: int


@pytest.fixture
def used(demo_db: Invoke, database_url: str) -> Iterator[Used]:
    cli = demo_db
    assert cli("fund", "contributions", "--year", "2023", "--received").exit_code == 0
    run = as_json(cli("portfolio", "optimize", "--json"))
    assert cli("portfolio", "approve", run["record_id"]).exit_code == 0
    met = cli("conditions", "set", "ceasefire_holding", "met", *EVIDENCE, "--on", "2026-04-01")
    assert met.exit_code == 0, met.output
    assert cli("screen", "load", SAMPLE).exit_code == 0
    assert cli("screen", "all").exit_code == 0
    queue = as_json(cli("screen", "review", "--json"))
    hit = int(queue[0]["hit"])
    dismissed = cli("screen", "review", "--dismiss", str(hit), "--reason", "a namesake")
    assert dismissed.exit_code == 0, dismissed.output
    tranches = as_json(cli("tranches", "list", "--json"))
    released = ""
    for tranche in (t for t in tranches if t["stage"] <= 1):
        if cli("tranches", "release", tranche["id"]).exit_code == 0:
            released = tranche["id"]
            break
    assert released, "no stage 0 or 1 tranche could be released"
    assert cli("tranches", "disburse", released).exit_code == 0
    stage2 = next(t["id"] for t in tranches if t["stage"] == 2)
    engine = make_engine(database_url)
    yield Used(cli=cli, engine=engine, released=released, stage2=stage2, hit=hit)
    engine.dispose()


def one(engine: Engine, sql: str, **params: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(text(sql), params).mappings().first()
    assert row is not None, sql
    return dict(row)


def reinsert(engine: Engine, table: str, row: dict[str, Any]) -> None:
    columns = ", ".join(f'"{c}"' for c in row)
    values = ", ".join(f":{c}" for c in row)
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), row)


def assert_named(used: Used, *phrases: str) -> None:
    result = used.cli("audit", "verify")
    assert result.exit_code == 1, result.output
    said = flat(result.output)
    for phrase in phrases:
        assert phrase in said, said


def assert_intact(used: Used) -> None:
    result = used.cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "Audit log intact" in result.output


Case = Callable[[Used], None]


def ledger_amount(used: Used) -> None:
    entry = one(used.engine, "SELECT * FROM ledger_entries WHERE tranche_id = :t", t=used.released)
    tamper(used.engine, f"UPDATE ledger_entries SET amount_minor = 1 WHERE id = {entry['id']}")
    assert_named(
        used,
        f"ledger entry {entry['id']}: amount_minor is 1 but the audit log last recorded "
        f"{entry['amount_minor']}",
    )
    amount, ident = entry["amount_minor"], entry["id"]
    tamper(used.engine, f"UPDATE ledger_entries SET amount_minor = {amount} WHERE id = {ident}")


def ledger_deleted(used: Used) -> None:
    entry = one(used.engine, "SELECT * FROM ledger_entries ORDER BY id DESC")
    tamper(used.engine, f"DELETE FROM ledger_entries WHERE id = {entry['id']}")
    assert_named(used, f"ledger entry {entry['id']}: deleted")
    insert_behind(used.engine, "ledger_entries", entry)


def ledger_forged(used: Used) -> None:
    entry = one(used.engine, "SELECT * FROM ledger_entries WHERE tranche_id = :t", t=used.released)
    forged = entry | {"id": 999999, "tranche_id": used.stage2, "amount_minor": 1}
    reinsert(used.engine, "ledger_entries", forged)
    assert_named(used, "ledger entry 999999: present, but no audit event ever recorded it")
    tamper(used.engine, "DELETE FROM ledger_entries WHERE id = 999999")


def tranche_status(used: Used) -> None:
    was = one(used.engine, "SELECT status FROM tranches WHERE id = :t", t=used.stage2)["status"]
    tamper(used.engine, f"UPDATE tranches SET status = 'released' WHERE id = '{used.stage2}'")
    assert_named(
        used,
        f"tranche {used.stage2}: status is released but the audit log last recorded {was}",
    )
    tamper(used.engine, f"UPDATE tranches SET status = '{was}' WHERE id = '{used.stage2}'")


def stage_ungated(used: Used) -> None:
    """Removing a condition from stage 2 would unlock its tranches."""
    link = one(used.engine, "SELECT * FROM stage_conditions WHERE stage_number = 2")
    tamper(
        used.engine,
        f"DELETE FROM stage_conditions WHERE stage_number = 2 "
        f"AND condition = '{link['condition']}'",
    )
    assert_named(used, f"stage condition 2/{link['condition']}: deleted")
    reinsert(used.engine, "stage_conditions", link)


def condition_status(used: Used) -> None:
    tamper(used.engine, "UPDATE conditions SET status = 'met' WHERE code = 'free_elections'")
    assert_named(
        used, "condition free_elections: status is met but the audit log last recorded not_met"
    )
    tamper(used.engine, "UPDATE conditions SET status = 'not_met' WHERE code = 'free_elections'")


def condition_history(used: Used) -> None:
    change = one(used.engine, "SELECT * FROM condition_changes WHERE code = 'ceasefire_holding'")
    tamper(used.engine, f"UPDATE condition_changes SET verifier = 'me' WHERE id = {change['id']}")
    assert_named(used, f"condition change {change['id']}: its content differs")
    tamper(
        used.engine,
        f"UPDATE condition_changes SET verifier = '{change['verifier']}' WHERE id = {change['id']}",
    )


def hit_deleted(used: Used) -> None:
    hit = one(used.engine, f"SELECT * FROM screening_hits WHERE id = {used.hit}")
    decision = one(used.engine, f"SELECT * FROM hit_decisions WHERE hit_id = {used.hit}")
    tamper(
        used.engine,
        f"DELETE FROM hit_decisions WHERE hit_id = {used.hit}",
        f"DELETE FROM screening_hits WHERE id = {used.hit}",
    )
    assert_named(
        used, f"screening hit {used.hit}: deleted", f"hit decision {decision['id']}: deleted"
    )
    reinsert(used.engine, "screening_hits", hit)
    reinsert(used.engine, "hit_decisions", decision)


def hit_decision_changed(used: Used) -> None:
    decision = one(used.engine, f"SELECT * FROM hit_decisions WHERE hit_id = {used.hit}")
    tamper(
        used.engine, f"UPDATE hit_decisions SET decision = 'confirmed' WHERE id = {decision['id']}"
    )
    assert_named(
        used,
        f"hit decision {decision['id']}: decision is confirmed but the audit log last recorded "
        f"{decision['decision']}",
    )
    tamper(
        used.engine,
        f"UPDATE hit_decisions SET decision = '{decision['decision']}' WHERE id = {decision['id']}",
    )


def project_row(used: Used) -> None:
    project = one(used.engine, "SELECT * FROM projects ORDER BY id")
    tamper(used.engine, f"UPDATE projects SET title = 'Renamed' WHERE id = '{project['id']}'")
    assert_named(used, f"project {project['id']}: its content differs")
    _set(used.engine, "projects", "title", project["title"], project["id"])


def vetting_judged(used: Used) -> None:
    """A criterion never judged, marked met by hand, would pass the vetting gate."""
    item = one(used.engine, "SELECT * FROM vetting_items ORDER BY organisation_id, criterion")
    where = f"organisation_id = '{item['organisation_id']}' AND criterion = '{item['criterion']}'"
    tamper(used.engine, f"DELETE FROM vetting_items WHERE {where}")
    assert_named(used, f"vetting item {item['organisation_id']}/{item['criterion']}: deleted")
    reinsert(used.engine, "vetting_items", item)


def _set(engine: Engine, table: str, column: str, value: Any, ident: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), {"v": value, "i": ident}
        )


CASES: list[Case] = [
    ledger_amount,
    ledger_deleted,
    ledger_forged,
    tranche_status,
    stage_ungated,
    condition_status,
    condition_history,
    hit_deleted,
    hit_decision_changed,
    project_row,
    vetting_judged,
]


def test_every_direct_edit_of_a_covered_row_is_named(used: Used) -> None:
    """Normal use verifies; then each edit or removal is named, and undone, in turn."""
    assert_intact(used)
    kept = one(used.engine, "SELECT seq, hash FROM audit_head")
    for case in CASES:
        case(used)
        assert_intact(used)
    head = f"{kept['seq']}:{kept['hash']}"
    still = used.cli("audit", "verify", "--head", head)
    assert still.exit_code == 0 and f"The published head {head} is in the chain" in flat(
        still.output
    )
    other = used.cli("audit", "verify", "--head", f"{kept['seq']}:{'0' * 64}")
    assert other.exit_code == 1 and "rewritten" in other.output
    assert used.cli("audit", "verify", "--head", "nonsense").exit_code == 1
