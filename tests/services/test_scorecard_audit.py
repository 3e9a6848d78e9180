"""The audit log vouches for the scorecard and the committee's rule: an indicator data
set, its figures, a proposed condition change and a committee's rule edited behind the
service (raw SQL, as someone with the database could) are each named by ``audit verify``,
and the store verifies again once the edit is undone."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from pfund.io.dataset import bundled_dataset
from pfund.services.audit import verify
from pfund.services.committee import ensure_committee
from pfund.services.demo import load_demo
from pfund.services.runtime import Runtime
from pfund.services.scorecard import evaluate, import_indicator_set
from tests.services.test_scorecard import RULE, figures
from tests.tamper import tamper

EDITS = {
    "indicator_values": (
        "UPDATE indicator_values SET value = '9999' WHERE indicator = 'ceasefire_days'",
        "UPDATE indicator_values SET value = '120' WHERE indicator = 'ceasefire_days'",
    ),
    "indicator_sets": (
        "UPDATE indicator_sets SET version = 7 WHERE name = 'ceasefire'",
        "UPDATE indicator_sets SET version = 1 WHERE name = 'ceasefire'",
    ),
    "condition_proposals": (
        "UPDATE condition_proposals SET status = 'confirmed'",
        "UPDATE condition_proposals SET status = 'pending'",
    ),
}


def _breaks(rt: Runtime) -> list[tuple[str, str]]:
    with rt.uow() as uow:
        return [(b.table, b.kind) for b in verify(uow).row_breaks]


def test_edits_of_indicators_proposals_and_the_committee_rule_are_named(
    rt: Runtime, tmp_path: Path
) -> None:
    folder = tmp_path / "fund"
    shutil.copytree(bundled_dataset(), folder)
    (folder / "condition_rules.yaml").write_text(RULE.format(policy="confirm"), "utf-8")
    ruled = replace(rt, dataset=folder)
    load_demo(ruled)
    import_indicator_set(ruled, figures(tmp_path / "ceasefire.csv", "RU,ceasefire_days,2027,120,"))
    assert evaluate(ruled, apply=True).rules[0].action == "pending"
    ensure_committee(ruled)
    with ruled.uow() as uow:
        rule = uow.session.execute(text("SELECT rule FROM committees")).scalar_one()
    edits = EDITS | {
        "committees": (
            'UPDATE committees SET rule = \'{"majority": "donor"}\'',
            f"UPDATE committees SET rule = '{rule if isinstance(rule, str) else json.dumps(rule)}'",
        )
    }
    assert _breaks(ruled) == []
    for table, (edit, undo) in edits.items():
        tamper(ruled.engine, edit)
        assert _breaks(ruled) == [(table, "changed")], table
        tamper(ruled.engine, undo)
        assert _breaks(ruled) == [], table
    tamper(ruled.engine, "DELETE FROM indicator_values WHERE indicator = 'ceasefire_days'")
    assert _breaks(ruled) == [("indicator_values", "deleted")]
