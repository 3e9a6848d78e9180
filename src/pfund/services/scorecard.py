"""Indicator data sets, condition rules evaluated over them, and the public scorecard.

- ``import_indicator_set``: a CSV of published figures, checked in full (unknown areas,
  duplicate rows, values that are not numbers refused with file, row and field; nothing
  stored), then stored as a new version of its data set unless the same bytes are
  already there (a re-import is a no-op). Old versions are kept.
- ``evaluate``: every rule of the fund's ``condition_rules`` file over the newest
  version of each data set. It proposes a status change where the verdict differs from
  the condition's status; with ``apply`` the fund's policy decides: ``apply`` records
  the change through the audited condition service at once (so a reversal freezes the
  tranches that needed it), ``confirm`` leaves a pending proposal for staff.
- ``confirm`` / ``reject``: staff decide a pending proposal, once.
- ``scorecard``: each indicator test with its threshold, latest value, trend, pass or
  fail, and the conditions and money that depend on it (public figures only).
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.conditions.rules import (
    Observation,
    Series,
    TestResult,
    Verdict,
    evaluate_rule,
    proposed_status,
)
from pfund.domain import Condition, ConditionStatus, TrancheStatus
from pfund.domain.account import Permission
from pfund.domain.scorecard import (
    ConditionRule,
    IndicatorSet,
    Proposal,
    ProposalStatus,
    RulePolicy,
    RulesFile,
)
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.dataset import load_dataset
from pfund.io.indicator_sets import content_hash, read_indicator_file, read_rules
from pfund.services import gate as money_gate
from pfund.services.audit import AuditWriter
from pfund.services.conditions import ChangeResult, change_status
from pfund.services.runtime import Runtime
from pfund.services.writes import finish, money_write
from pfund.store.repositories.scorecard import ScorecardRepository
from pfund.store.unit_of_work import UnitOfWork

ZERO = Decimal(0)
OPEN_TRANCHES = {TrancheStatus.PLANNED, TrancheStatus.FROZEN, TrancheStatus.RELEASED}


def repo(uow: UnitOfWork) -> ScorecardRepository:
    return ScorecardRepository(uow.session)


class SetImport(BaseModel):
    """What an indicator import did: a new version, or nothing (the same bytes are stored)."""

    kind: str = "indicator_set"
    file: str
    name: str
    version: int
    sha256: str
    rows: int
    unchanged: bool


def import_indicator_set(rt: Runtime, path: Path, *, name: str | None = None) -> SetImport:
    """Import a data set file all or nothing; the same bytes again change nothing."""
    rt.require(Permission.IMPORT)
    with rt.uow() as uow:
        audit = AuditWriter(uow, rt.actor)
        result = store_indicator_set(uow, audit, path, name=name, actor=rt.actor)
        uow.commit()
    return result


def store_indicator_set(
    uow: UnitOfWork, audit: AuditWriter, path: Path, *, name: str | None = None, actor: str
) -> SetImport:
    """Check the file in full, then store it as a new version of data set ``name`` (the
    file's stem by default) with its audit event, unless its bytes are stored already."""
    regions = [r.code for r in uow.reference.regions()]
    values = read_indicator_file(path, regions)
    label = _set_name(name or path.stem, path.name)
    sha = content_hash(path)
    store = repo(uow)
    found = store.set_by_hash(sha)
    if found is not None:
        return _imported(path, found, unchanged=True)
    stored = store.add_set(
        name=label, sha256=sha, file=path.name, at=_now(), actor=actor, values=values
    )
    audit.record(
        "indicator_set.imported",
        "indicator_set",
        f"{label}@{sha[:12]}",
        {"file": path.name, "version": stored.version, "sha256": sha, "rows": len(values)},
    )
    return _imported(path, stored, unchanged=False)


SET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _set_name(name: str, file: str) -> str:
    if SET_NAME.fullmatch(name):
        return name
    reason = f"'{name[:80]}' cannot name a data set: use 1-64 letters, digits, '_', '.' or '-'"
    raise InvalidInput("bad data set name", [Problem(reason, file=file, field="name")])


def _imported(path: Path, found: IndicatorSet, *, unchanged: bool) -> SetImport:
    return SetImport(
        file=path.name,
        name=found.name,
        version=found.version,
        sha256=found.sha256,
        rows=found.rows,
        unchanged=unchanged,
    )


def indicator_sets(rt: Runtime) -> list[IndicatorSet]:
    """Every stored version of every data set, newest first."""
    with rt.uow() as uow:
        return repo(uow).sets()


def series_of(uow: UnitOfWork) -> Series:
    """The figures of the newest version of each data set; where two data sets give the
    same indicator, area and year, the one imported last is used."""
    by_key: dict[tuple[str, str], dict[int, Observation]] = defaultdict(dict)
    store = repo(uow)
    for s in store.latest_sets():  # newest first: the first figure for a year wins
        ref = f"{s.name}@{s.sha256}"
        for v in store.values(s.sha256):
            seen = Observation(v.year, v.value, v.category, ref)
            by_key[(v.indicator, v.area)].setdefault(v.year, seen)
    return {k: sorted(years.values(), key=lambda o: o.year) for k, years in by_key.items()}


def rules_of(rt: Runtime, uow: UnitOfWork) -> RulesFile:
    """The fund's condition rules (the data set's ``condition_rules`` file), checked
    against the stored conditions and verifiers; none when the data set names no file."""
    path = load_dataset(rt.dataset).sample_files.get("condition_rules")
    if path is None:
        return RulesFile()
    fund = uow.fund.get()
    return read_rules(path, uow.conditions.list(), fund.verifiers if fund else [])


class TestLine(BaseModel):
    test: str
    indicator: str
    area: str
    passed: bool | None
    year: int | None
    value: str
    data_set: str
    reason: str


class RuleLine(BaseModel):
    """One condition's rule, its verdict, and what evaluating it proposed or did."""

    condition: str
    title: str
    title_ru: str
    status: str
    policy: str
    verifier: str
    passed: bool | None
    proposed: str | None
    action: str  # none, would_apply, would_ask, applied, pending, already_pending
    proposal: int | None = None
    tests: list[TestLine]
    sets: list[str]
    change: ChangeResult | None = None


class Evaluation(BaseModel):
    applied: bool
    sets: list[IndicatorSet]
    rules: list[RuleLine]
    manual: list[str]  # conditions without a rule: they stay manual


def evaluate(rt: Runtime, *, apply: bool = False) -> Evaluation:
    """Every rule's verdict and proposal; with ``apply``, act on them by the fund's policy."""
    if not apply:
        with rt.uow() as uow:
            return _evaluation(rt, uow, apply=False)
    rt.require(Permission.SET_CONDITIONS)
    with money_write(rt) as uow:
        result = _evaluation(rt, uow, apply=True)
        AuditWriter(uow, rt.actor).record(
            "conditions.evaluated",
            "condition",
            "*",
            {
                "sets": [f"{s.name}@{s.sha256}" for s in result.sets],
                "proposed": {r.condition: r.proposed for r in result.rules if r.proposed},
            },
        )
        finish(uow, rt, result)
    return result


def _evaluation(rt: Runtime, uow: UnitOfWork, *, apply: bool) -> Evaluation:
    rules = rules_of(rt, uow)
    fund = uow.fund.get()
    area = fund.beneficiary_country if fund else ""
    series = series_of(uow)
    conditions = {c.code: c for c in uow.conditions.list()}
    pending = {p.condition: p for p in repo(uow).proposals(status=ProposalStatus.PENDING)}
    lines = []
    for rule in rules.rules:
        condition = conditions[rule.condition]
        verdict = evaluate_rule(rule.rule, series, default_area=area)
        line = _line(condition, rule, rules.policy_of(rule), verdict)
        if apply and line.proposed is not None:
            line = _act(rt, uow, line, condition, pending.get(rule.condition))
        lines.append(line)
    ruled = {r.condition for r in rules.rules}
    return Evaluation(
        applied=apply,
        sets=repo(uow).latest_sets(),
        rules=lines,
        manual=[c for c in conditions if c not in ruled],
    )


def _line(
    condition: Condition, rule: ConditionRule, policy: RulePolicy, verdict: Verdict
) -> RuleLine:
    new = proposed_status(condition.status, verdict.passed)
    action = "none" if new is None else f"would_{'apply' if policy is RulePolicy.APPLY else 'ask'}"
    return RuleLine(
        condition=condition.code,
        title=condition.title,
        title_ru=condition.title_ru,
        status=condition.status.value,
        policy=policy.value,
        verifier=rule.verifier,
        passed=verdict.passed,
        proposed=None if new is None else new.value,
        action=action,
        tests=[_test_line(r) for r in verdict.results],
        sets=verdict.set_refs,
    )


def _test_line(r: TestResult) -> TestLine:
    seen = r.observation
    return TestLine(
        test=r.test.text(),
        indicator=r.test.indicator,
        area=r.area,
        passed=r.passed,
        year=None if seen is None else seen.year,
        value="" if seen is None else seen.shown,
        data_set="" if seen is None else seen.set_ref,
        reason=r.reason,
    )


def _act(
    rt: Runtime, uow: UnitOfWork, line: RuleLine, condition: Condition, waiting: Proposal | None
) -> RuleLine:
    if waiting is not None and waiting.new.value == line.proposed:
        return line.model_copy(update={"action": "already_pending", "proposal": waiting.id})
    applied = line.policy == RulePolicy.APPLY.value
    proposal = Proposal(
        id=0,
        condition=condition.code,
        old=condition.status,
        new=ConditionStatus(str(line.proposed)),
        rule=" ; ".join(t.test for t in line.tests),
        evidence=_evidence(line),
        values=[_value(t) for t in line.tests if t.year is not None],
        sets=line.sets,
        verifier=line.verifier,
        status=ProposalStatus.APPLIED if applied else ProposalStatus.PENDING,
        proposed_at=_now(),
        decided_by=rt.actor if applied else "",
        decided_at=_now() if applied else None,
    )
    change = _change(uow, rt, proposal) if applied else None
    pid = repo(uow).add_proposal(proposal)
    AuditWriter(uow, rt.actor).record(
        "condition.proposed",
        "condition",
        condition.code,
        {"proposal": pid, "old": proposal.old.value, "new": proposal.new.value},
    )
    return line.model_copy(
        update={"action": "applied" if applied else "pending", "proposal": pid, "change": change}
    )


def _evidence(line: RuleLine) -> str:
    """The text the condition's history keeps: the rule, the figures and their versions."""
    figures = "; ".join(t.reason for t in line.tests)
    sets = ", ".join(f"{ref.split('@')[0]} version {ref.split('@')[1][:12]}" for ref in line.sets)
    return f"Indicator rule evaluated: {figures}. Data: {sets or 'none'}."


def _value(t: TestLine) -> dict[str, str]:
    return {
        "indicator": t.indicator,
        "area": t.area,
        "year": str(t.year),
        "value": t.value,
        "data_set": t.data_set,
        "passed": str(t.passed).lower(),
    }


def _change(uow: UnitOfWork, rt: Runtime, p: Proposal) -> ChangeResult:
    return change_status(
        uow, rt, p.condition, p.new, evidence=p.evidence, verifier=p.verifier, on=money_gate.today()
    )


def proposals(rt: Runtime, *, status: str | None = None) -> list[Proposal]:
    """Proposed changes, oldest first; ``status`` filters (pending, applied, ...)."""
    wanted = None if status is None else _proposal_status(status)
    with rt.uow() as uow:
        return repo(uow).proposals(status=wanted)


def _proposal_status(value: str) -> ProposalStatus:
    try:
        return ProposalStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in ProposalStatus)
        reason = f"'{value}' is not a proposal status; choose {choices}"
        raise InvalidInput("unknown status", [Problem(reason, field="status")]) from None


class Decision(BaseModel):
    proposal: Proposal
    change: ChangeResult | None = None


def confirm(rt: Runtime, proposal_id: int) -> Decision:
    """Apply a pending proposal through the audited condition service."""
    return _decide(rt, proposal_id, ProposalStatus.CONFIRMED, reason="")


def reject(rt: Runtime, proposal_id: int, *, reason: str) -> Decision:
    """Refuse a pending proposal; the condition keeps its status."""
    if len(reason.strip()) < 10:
        problem = Problem("say why in at least 10 characters", field="reason")
        raise InvalidInput("a rejection needs its reason", [problem])
    return _decide(rt, proposal_id, ProposalStatus.REJECTED, reason=reason.strip())


def _decide(rt: Runtime, proposal_id: int, to: ProposalStatus, *, reason: str) -> Decision:
    rt.require(Permission.SET_CONDITIONS)
    with money_write(rt) as uow:
        store = repo(uow)
        found = store.proposal(proposal_id)
        if found is None:
            raise NotFound(f"no proposal {proposal_id} (`pfund conditions proposals`)")
        if found.status is not ProposalStatus.PENDING:
            raise Conflict(f"proposal {proposal_id} is already {found.status.value}")
        condition = uow.conditions.get(found.condition)
        if condition is None or condition.status is not found.old:
            now = "gone" if condition is None else condition.status.value
            raise Conflict(
                f"condition {found.condition} is {now} now, not {found.old.value} as when "
                "proposed: reject this proposal and evaluate again"
            )
        change = _change(uow, rt, found) if to is ProposalStatus.CONFIRMED else None
        if not store.decide(proposal_id, to, actor=rt.actor, at=_now(), reason=reason):
            raise Conflict(f"proposal {proposal_id} was decided meanwhile; nothing was changed")
        AuditWriter(uow, rt.actor).record(
            f"condition.proposal_{to.value}",
            "condition",
            found.condition,
            {"proposal": proposal_id, "reason": reason},
        )
        decided = store.proposal(proposal_id)
        assert decided is not None
        result = Decision(proposal=decided, change=change)
        finish(uow, rt, result)
    return result


def _now() -> datetime:
    return datetime.now(UTC)
