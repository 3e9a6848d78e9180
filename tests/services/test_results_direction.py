"""Indicators where lower is better, and the unearned remainder of a results tranche.

On the sample fund (both stores): a decreasing indicator (road deaths from a baseline of
100 towards 60) is imported, a tranche linked to it with a formula read downwards, a
verified value of 70 pays half of it (worked by hand below), and the unearned half is
kept, then returned to the fund through the ledger, once.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from pfund.errors import Conflict, InvalidInput
from pfund.services.audit import verify
from pfund.services.funding import ledger_view
from pfund.services.learning import outcome_ratios
from pfund.services.remainder import decide_remainder
from pfund.services.results import import_indicators, project_results, set_direction
from pfund.services.runtime import Runtime
from pfund.services.tranches import list_tranches, release_tranche
from pfund.services.verification import (
    draw_sample,
    link_tranche,
    pay_by_results,
    payments_due,
    record_findings,
)
from pfund.store.tables import RemainderDecisionRow, TrancheResultLinkRow
from tests.services.test_verification import (  # noqa: F401 (the fixture)
    _count,
    _report_with_units,
    _tranche,
    approved,
)


def _deaths(rt: Runtime, tmp_path: Path, project: str, period: str, base: str) -> str:
    """The project's framework becomes one decreasing indicator: deaths, 100 -> 60."""
    item = {
        "project": project,
        "code": "road_deaths",
        "name": "Road deaths per year",
        "name_ru": "Гибель на дорогах в год",
        "unit": "deaths",
        "direction": "decrease",
        "baseline": 100,
        "baseline_date": base,
        "targets": {period: 60},
    }
    path = tmp_path / "deaths.yaml"
    path.write_text(yaml.safe_dump([item]), encoding="utf-8")
    import_indicators(rt, path)
    return "road_deaths"


def test_a_decreasing_indicator_is_refused_when_a_target_is_not_below_its_baseline(
    approved: Runtime,  # noqa: F811
) -> None:
    _, project, code, _ = _tranche(approved)
    before = project_results(approved, project).indicators
    with pytest.raises(InvalidInput) as refused:
        set_direction(approved, project, code, "decrease")  # baseline 0: no target below
    assert [p.field for p in refused.value.problems] == ["targets"]
    assert "below its baseline" in refused.value.problems[0].reason
    with pytest.raises(InvalidInput) as refused:
        set_direction(approved, project, code, "sideways")
    assert [p.field for p in refused.value.problems] == ["direction"]
    assert project_results(approved, project).indicators == before


def test_a_decreasing_tranche_pays_on_the_reduction_and_its_remainder_returns_once(
    approved: Runtime,  # noqa: F811
    tmp_path: Path,
) -> None:
    rt = approved
    tranche, project, _, period = _tranche(rt)
    base = project_results(rt, project).indicators[0].indicator.baseline_date.isoformat()
    code = _deaths(rt, tmp_path, project, period, base)
    (view,) = project_results(rt, project).indicators
    assert view.indicator.direction.value == "decrease"
    # a threshold beyond the target in the indicator's direction: refused, nothing stored
    with pytest.raises(InvalidInput) as refused:
        link_tranche(rt, tranche, code, period, {"kind": "scalable", "threshold": 50, "target": 60})
    assert [p.field for p in refused.value.problems] == ["threshold"]
    assert _count(rt, TrancheResultLinkRow) == 0
    # nor may a formula claim the other direction
    with pytest.raises(InvalidInput) as refused:
        link_tranche(
            rt,
            tranche,
            code,
            period,
            {"kind": "scalable", "threshold": 80, "target": 60, "direction": "increase"},
        )
    assert [p.field for p in refused.value.problems] == ["direction"]
    linked = link_tranche(
        rt, tranche, code, period, {"kind": "scalable", "threshold": 80, "target": 60}
    )
    assert linked.formula.direction.value == "decrease"
    # the indicator's direction cannot change under its linked tranche
    with pytest.raises(Conflict):
        set_direction(rt, project, code, "increase")

    # 40 units report 2 deaths each (80); the sample recounts 1.75 each: factor 0.875,
    # verified 70 = 80 x 0.875; (80 - 70) / (80 - 60) = 0.5 of the tranche
    report = _report_with_units(rt, tmp_path, project, code, period)
    sample = draw_sample(rt, report, code, confidence=0.9, precision=0.1, seed=7)
    record_findings(rt, sample.verification, dict.fromkeys(sample.units, "1.75"))
    amount = next(t.amount for t in list_tranches(rt) if t.id == tranche)
    (due,) = payments_due(rt)
    assert due.verified_value == Decimal("70.0")
    assert due.branch == "pro_rata" and due.share == Decimal("0.5")
    assert due.amount == (amount / 2).quantize(Decimal("0.01"))
    release_tranche(rt, tranche)
    paid = pay_by_results(rt, tranche).amount
    assert paid == due.amount
    (due,) = payments_due(rt)
    assert due.unpaid == amount - paid and due.remainder_decision is None

    # bad decisions: named, nothing changed
    with pytest.raises(InvalidInput) as refused:
        decide_remainder(rt, tranche, "maybe", "no")
    assert [p.field for p in refused.value.problems] == ["decision", "reason"]
    assert _count(rt, RemainderDecisionRow) == 0

    free = ledger_view(rt).balances["fund_balance"]
    kept = decide_remainder(rt, tranche, "keep", "the partner may still catch up next year")
    assert kept.decision == "kept" and Decimal(kept.amount) == amount - paid
    assert ledger_view(rt).balances["fund_balance"] == free  # kept: nothing moved
    with pytest.raises(Conflict):
        decide_remainder(rt, tranche, "keep", "the partner may still catch up next year")
    back = decide_remainder(rt, tranche, "return", "the period is over; the rest goes back")
    assert back.decision == "returned"
    assert ledger_view(rt).balances["fund_balance"] == free + amount - paid
    with pytest.raises(Conflict):
        decide_remainder(rt, tranche, "return", "the period is over; the rest goes back")
    (due,) = payments_due(rt)
    assert due.unpaid == 0 and due.remainder_decision == "returned"
    assert ledger_view(rt).invariants == []
    with rt.uow() as uow:
        assert verify(uow).intact


def test_the_outcome_ratio_of_a_decreasing_indicator_is_the_reduction_achieved() -> None:
    from datetime import date

    from pfund.domain.results import Indicator, ReportedValue, ReportRecord

    indicator = Indicator(
        project="P-1",
        code="road_deaths",
        name="Road deaths",
        name_ru="Гибель на дорогах",
        unit="deaths",
        direction="decrease",
        baseline=Decimal(100),
        baseline_date=date(2028, 1, 1),
        targets={"2030": Decimal(60)},
        outcome="deaths",
    )
    report = ReportRecord(
        id="RPT-P-1-2030",
        project="P-1",
        period="2030",
        due_on=date(2031, 2, 14),
        values=[ReportedValue(indicator="road_deaths", value=Decimal(80), unit="deaths")],
    )

    class _P:  # the project's predicted outcomes are all outcome_ratios reads
        outcomes: ClassVar[dict[str, object]] = {"deaths": object()}

    # (100 - 80) / (100 - 60) = 20 / 40 = 0.5; times a factor 0.875 on the 80 reported:
    # achieved 70, (100 - 70) / 40 = 0.75
    assert outcome_ratios(_P(), [indicator], [report]) == {"deaths": 0.5}  # type: ignore[arg-type]
    factors = {("2030", "road_deaths"): 0.875}
    assert outcome_ratios(_P(), [indicator], [report], factors) == {"deaths": 0.75}  # type: ignore[arg-type]
