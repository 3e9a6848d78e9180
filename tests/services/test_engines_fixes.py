"""Figures people read follow the fund's data and the money: the share of GDP on the
portal, project statuses through the lifecycle, money released but not paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pfund.domain import ProjectStatus
from pfund.io.dataset import bundled_dataset
from pfund.services import portal
from pfund.services.appraisal import appraise_pipeline, load_inputs, record_appraisal
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.portfolio import run_portfolio
from pfund.services.runtime import Runtime
from pfund.services.screening import blocking_refs, load_watchlist, screen_all
from pfund.services.tranches import approve, disburse_tranche, list_tranches, release_tranche

WATCHLIST = bundled_dataset() / "watchlists" / "sample.ftm.json"


def test_the_portal_shows_the_share_the_fund_takes_not_a_default(rt: Runtime) -> None:
    with rt.uow() as uow:
        fund = uow.fund.get()
        assert fund is not None
        uow.fund.put(fund.model_copy(update={"default_share_of_gdp": Decimal("0.001")}))
        uow.commit()
    lines = portal.contributors(rt)
    assert lines
    for line in lines:
        assert line.share_of_gdp == Decimal("0.001")
        assert abs(line.annual_contribution - line.gdp_usd * Decimal("0.001")) < 1


def _statuses(rt: Runtime) -> dict[str, ProjectStatus]:
    with rt.uow() as uow:
        return {p.id: p.status for p in uow.projects.list()}


def test_statuses_follow_the_lifecycle_and_the_money(rt: Runtime, today: Any) -> None:
    """screened → appraised → approved → funded → in progress → completed, each audited.

    Before, only "approved" was ever set: a paid project still showed "approved".
    """
    load_demo(rt)
    load_watchlist(rt, WATCHLIST)
    before = _statuses(rt)
    proposed = {p for p, s in before.items() if s is ProjectStatus.PROPOSED}
    screen_all(rt)
    screened = _statuses(rt)
    with rt.uow() as uow:
        held = {
            p.id
            for p in uow.projects.list()
            if blocking_refs(uow, organisations=[o for o in (p.proponent, *p.partners) if o])
        }
    assert held, "the sample watchlist should hold some project back"
    assert held & proposed and proposed - held
    assert {screened[p] for p in held & proposed} == {ProjectStatus.PROPOSED}
    assert {screened[p] for p in proposed - held} == {ProjectStatus.SCREENED}
    assert all(screened[p] is before[p] for p in set(before) - proposed)  # never backwards
    inputs = load_inputs(rt)
    report = record_appraisal(rt, inputs, appraise_pipeline(inputs))
    after = _statuses(rt)
    for line in report.lines:
        assert after[line.id] is ProjectStatus.APPRAISED
    record_contributions(rt, year=2023, received=True)
    run, _ = run_portfolio(rt, appraise_pipeline(load_inputs(rt)))
    approve(rt, run.record_id)
    # A stage-0 project (no conditions) whose counterparties screened clear, paid in parts.
    pid = next(
        p
        for p in run.selected
        if screened[p] is ProjectStatus.SCREENED
        and len(list_tranches(rt, p)) >= 2
        and all(t.stage == 0 for t in list_tranches(rt, p))
    )
    assert _statuses(rt)[pid] is ProjectStatus.APPROVED
    tranches = sorted(list_tranches(rt, pid), key=lambda t: t.year)
    today(date(tranches[0].year, 6, 1))
    release_tranche(rt, tranches[0].id)
    assert _statuses(rt)[pid] is ProjectStatus.FUNDED
    disburse_tranche(rt, tranches[0].id)
    assert _statuses(rt)[pid] is ProjectStatus.IN_PROGRESS
    for t in tranches[1:]:
        today(date(t.year, 6, 1))
        release_tranche(rt, t.id)
        assert _statuses(rt)[pid] is ProjectStatus.IN_PROGRESS  # never back to funded
        disburse_tranche(rt, t.id)
    assert _statuses(rt)[pid] is ProjectStatus.COMPLETED
    with rt.uow() as uow:
        events = [e for e in uow.audit.list(record_type="project") if e.record_id == pid]
    moves = [(e.details["old"], e.details["new"]) for e in events if e.action == "project.status"]
    assert moves[-3:] == [
        ("approved", "funded"),
        ("funded", "in_progress"),
        ("in_progress", "completed"),
    ]
