"""Verification by sampling and payment by verified results, stored and paid, on both stores.

A report's units are imported, a sample drawn and recorded (and redrawn identically from
its record), findings outside the draw refused with nothing stored, the verification
factor stored; a tranche linked to the indicator with a scalable formula pays what the
verified value earns (worked by hand below) through the one payment path, once, even
when two requests pay it at the same moment.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pfund.domain import TrancheStatus
from pfund.errors import Conflict, InvalidInput, NotFound, PfundError
from pfund.services.audit import verify
from pfund.services.funding import ledger_view
from pfund.services.results import issue_report_link, project_results
from pfund.services.runtime import Runtime
from pfund.services.tranches import list_tranches, release_tranche
from pfund.services.verification import (
    draw_sample,
    import_units,
    link_tranche,
    pay_by_results,
    payments_due,
    record_findings,
    redraw_sample,
    verification_result,
)
from pfund.store.tables import FindingRow, ResultUnitRow, TrancheResultLinkRow, VerificationRow

UNITS = 40  # 20 sites in each of two regions, each reporting 2 units of the indicator


@pytest.fixture
def approved(approved_rt: Runtime) -> Runtime:
    """The sample fund with 2023's contributions received and a portfolio run (20 s time
    limit) approved: a copy of one made so once per process (tests/services/conftest.py)."""
    return approved_rt


def _tranche(rt: Runtime) -> tuple[str, str, str, str]:
    """A stage-0 planned tranche whose project has an indicator: (tranche, project,
    indicator code, the indicator's first target period)."""
    planned = [t for t in list_tranches(rt) if t.stage == 0 and t.status is TrancheStatus.PLANNED]
    for t in sorted(planned, key=lambda t: (t.year, t.id)):
        found = project_results(rt, t.project_id).indicators
        if found:
            return t.id, t.project_id, found[0].indicator.code, found[0].periods[0].period
    raise AssertionError("no approved project with indicators")


def _report_with_units(rt: Runtime, tmp_path: Path, project: str, code: str, period: str) -> str:
    report = issue_report_link(rt, project, period).report_id
    lines = ["report,indicator,unit,stratum,reported"]
    lines += [f"{report},{code},S{i:03d},{'NORTH' if i % 2 else 'SOUTH'},2" for i in range(UNITS)]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_units(rt, path).imported == UNITS
    return report


def _count(rt: Runtime, row: type) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(row)) or 0


def test_a_sample_is_recorded_redrawn_and_verified(approved: Runtime, tmp_path: Path) -> None:
    rt = approved
    _, project, code, period = _tranche(rt)
    report = _report_with_units(rt, tmp_path, project, code, period)
    with pytest.raises(NotFound, match="no report 'NOPE'"):
        draw_sample(rt, "NOPE", code, confidence=0.9, precision=0.1, seed=7)
    sample = draw_sample(rt, report, code, confidence=0.9, precision=0.1, seed=7)
    # Cochran: n0 = 1.6449^2 * 0.25 / 0.01 = 67.6; n = 67.6 / (1 + 66.6 / 40) = 25.4 -> 26
    assert len(sample.units) == 26 and sample.population == UNITS
    assert {s.name: s.sample for s in sample.record.strata} == {"NORTH": 13, "SOUTH": 13}
    assert redraw_sample(rt, sample.verification).units == sample.units

    outsider = next(f"S{i:03d}" for i in range(UNITS) if f"S{i:03d}" not in sample.units)
    bad = dict.fromkeys(sample.units[1:], 1.8) | {outsider: 1.8}
    with pytest.raises(InvalidInput) as refused:
        record_findings(rt, sample.verification, bad)
    reasons = [p.reason for p in refused.value.problems]
    assert f"unit '{outsider}' was not in the draw (seed 7)" in reasons
    assert f"unit '{sample.units[0]}' was drawn but has no finding" in reasons
    assert _count(rt, FindingRow) == 0
    assert verification_result(rt, sample.verification).status == "drawn"

    result = record_findings(rt, sample.verification, dict.fromkeys(sample.units, 1.8))
    # every sampled site recounts 1.8 of the 2 reported: factor 0.9, verified 0.9 * 80 = 72
    assert result.factor == pytest.approx(0.9)
    assert result.verified_total == pytest.approx(72.0)
    assert result.failing_units == 0  # 10 % off is within the LQAS tolerance
    assert _count(rt, FindingRow) == 26
    with pytest.raises(Conflict, match="already has its findings"):
        record_findings(rt, sample.verification, dict.fromkeys(sample.units, 1.8))
    with rt.uow() as uow:
        stored = uow.session.get(VerificationRow, sample.verification)
        assert stored is not None and json.loads(stored.draw)["seed"] == 7
        assert verify(uow).intact


def test_a_threshold_above_its_target_is_refused_naming_the_field(approved: Runtime) -> None:
    tranche, _, code, period = _tranche(approved)
    with pytest.raises(InvalidInput) as refused:
        link_tranche(
            approved,
            tranche,
            code,
            period,
            {"kind": "scalable", "threshold": 120, "target": 100},
        )
    assert [p.field for p in refused.value.problems] == ["threshold"]
    assert "above the target 100" in refused.value.problems[0].reason
    assert _count(approved, TrancheResultLinkRow) == 0


def test_a_linked_tranche_pays_what_the_verified_value_earns(
    approved: Runtime, tmp_path: Path
) -> None:
    rt = approved
    tranche, project, code, period = _tranche(rt)
    report = _report_with_units(rt, tmp_path, project, code, period)
    link_tranche(rt, tranche, code, period, {"kind": "scalable", "threshold": 50, "target": 100})
    (due,) = payments_due(rt)
    assert due.amount == 0 and "no verified report" in due.explanation[0]
    sample = draw_sample(rt, report, code, confidence=0.9, precision=0.1, seed=7)
    record_findings(rt, sample.verification, dict.fromkeys(sample.units, 1.8))
    (due,) = payments_due(rt)
    amount = next(t.amount for t in list_tranches(rt) if t.id == tranche)
    # verified 72 between threshold 50 and target 100: share (72 - 50) / (100 - 50) = 0.44
    assert due.branch == "pro_rata"
    assert due.amount == (amount * Decimal("0.44")).quantize(Decimal("0.01"))
    assert due.amount + due.remainder == amount
    with pytest.raises(Conflict):  # still planned: the gate releases it first
        pay_by_results(rt, tranche)
    release_tranche(rt, tranche)

    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def pay() -> None:
        barrier.wait()
        try:
            outcomes.append(pay_by_results(rt, tranche).amount)
        except PfundError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    paid = [o for o in outcomes if isinstance(o, Decimal)]
    assert paid == [due.amount], outcomes
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    view = ledger_view(rt)
    assert view.invariants == []
    with rt.uow() as uow:
        assert verify(uow).intact


def _problems(exc: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str | None, str]]:
    return [(p.field, p.reason) for p in exc.value.problems]


def test_bad_units_are_refused_naming_row_and_field_and_nothing_is_stored(
    demo_rt: Runtime, tmp_path: Path
) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    report = issue_report_link(rt, "TRN-M11-01", "2030").report_id
    path = tmp_path / "units.csv"
    path.write_text(
        "report,indicator,unit,stratum,reported\n"
        f"{report},km_upgraded,K01,RU-TVE,5\n"  # good, and still not stored
        f"{report},people_fed,K02,RU-TVE,5\n"  # an indicator the project does not have
        f"{report},km_upgraded,{'K' * 65},RU-TVE,5\n"  # a unit id longer than 64
        f"{report},km_upgraded,K04,{'S' * 17},5\n"  # a stratum longer than 16
        f"{report},km_upgraded,K05,RU-TVE,-1\n"  # a negative count
        f"{report},km_upgraded,K06,RU-TVE,{'9' * 31}\n"  # more digits than the store keeps
        "RPT-NONE,km_upgraded,K07,RU-TVE,5\n",  # no such report
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as refused:
        import_units(rt, path)
    found = {(p.row, p.field) for p in refused.value.problems}
    assert found == {
        (3, "indicator"),
        (4, "unit"),
        (5, "stratum"),
        (6, "reported"),
        (7, "reported"),
        (8, "report"),
    }
    assert "no indicator 'people_fed'" in str(refused.value.problems[0])
    assert _count(rt, ResultUnitRow) == 0


def test_a_bad_sample_request_is_refused_naming_the_field_and_draws_nothing(
    demo_rt: Runtime, tmp_path: Path
) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    report = _report_with_units(rt, tmp_path, "TRN-M11-01", "km_upgraded", "2030")
    for asked, field in (
        ({"confidence": 1.5}, "confidence"),
        ({"confidence": 0}, "confidence"),
        ({"precision": 0}, "precision"),
        ({"precision": "-0.1"}, "precision"),
        ({"precision": "nan"}, "precision"),
        ({"seed": -1}, "seed"),
    ):
        with pytest.raises(InvalidInput) as refused:
            draw_sample(rt, report, "km_upgraded", **asked)
        assert [f for f, _ in _problems(refused)] == [field], asked
    with pytest.raises(InvalidInput) as refused:
        draw_sample(rt, report, "people_fed", seed=1)
    assert [f for f, _ in _problems(refused)] == ["indicator"]
    assert _count(rt, VerificationRow) == 0


def test_bad_findings_are_refused_naming_the_unit_and_nothing_is_stored(
    demo_rt: Runtime, tmp_path: Path
) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    report = _report_with_units(rt, tmp_path, "TRN-M11-01", "km_upgraded", "2030")
    sample = draw_sample(rt, report, "km_upgraded", confidence=0.9, precision=0.1, seed=3)
    first, second, *rest = sample.units
    bad: dict[str, str] = dict.fromkeys(rest, "1.8") | {first: "-1", second: "lots"}
    with pytest.raises(InvalidInput) as refused:
        record_findings(rt, sample.verification, bad)
    assert {f for f, _ in _problems(refused)} == {
        f"recounted.{first}",
        f"recounted.{second}",
    }
    assert _count(rt, FindingRow) == 0
    assert verification_result(rt, sample.verification).status == "drawn"


def test_a_link_to_an_unknown_indicator_or_period_is_refused_naming_the_field(
    approved: Runtime,
) -> None:
    tranche, _, code, period = _tranche(approved)
    formula = {"kind": "scalable", "threshold": 50, "target": 100}
    for indicator, when, field in (
        ("people_fed", period, "indicator"),
        (code, "2099", "period"),
        (code, "2030-Q5", "period"),
        ("Not A Code!", period, "indicator"),
    ):
        with pytest.raises(InvalidInput) as refused:
            link_tranche(approved, tranche, indicator, when, formula)
        assert [f for f, _ in _problems(refused)] == [field], (indicator, when)
    with pytest.raises(InvalidInput) as refused:
        link_tranche(approved, tranche, code, period, formula | {"threshold": "1e40"})
    assert [f for f, _ in _problems(refused)] == ["threshold"]
    assert _count(approved, TrancheResultLinkRow) == 0


def test_the_lot_quality_decision_is_stored_with_the_factor(
    demo_rt: Runtime, tmp_path: Path
) -> None:
    rt = demo_rt  # the sample fund loaded (load_demo)
    report = _report_with_units(rt, tmp_path, "TRN-M11-01", "km_upgraded", "2030")
    sample = draw_sample(rt, report, "km_upgraded", confidence=0.9, precision=0.1, seed=7)
    assert len(sample.units) == 26
    # 26 units, a bad report fails 20 % of its units: accepted at most 10 % of the time
    # when at most d = 2 fail (P(X <= 2 | n 26, p 0.2) = 0.084; P(X <= 3) = 0.207)
    off = dict.fromkeys(sample.units[:3], 1.0)  # 1 of the 2 reported: 50 % off
    result = record_findings(rt, sample.verification, dict.fromkeys(sample.units, 2.0) | off)
    assert (result.failing_units, result.lqas_d, result.lqas_accepted) == (3, 2, False)
    assert verification_result(rt, sample.verification).lqas_accepted is False
