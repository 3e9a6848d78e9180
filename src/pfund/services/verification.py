"""Verification by sampling and payment by verified results: the stored side.

A verifier asks for a sample of the units a report lists for one indicator; the sample
size follows from the confidence and precision asked (Cochran), the draw is seeded and
its record (``DrawRecord``) stored, so anyone can redraw it from the report's units. The
verifier then records what was recounted per sampled unit; findings for a unit outside
the draw (or a drawn unit left out) are refused whole, and the verification factor with
its interval and the verified total are computed and stored with the findings.

A tranche linked to an indicator and period with a payment formula is earned on the
verified value (or its lower bound); :func:`payments_due` says what each linked tranche
would pay now and why, and :func:`pay_by_results` pays that amount through the one
payment path, :func:`pfund.services.tranches.disburse_tranche`, so the conditions gate,
screening holds, the money lock and the once-per-tranche rule all still apply.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, insert, select, update

from pfund.domain import LedgerAccount, TrancheStatus
from pfund.domain.account import Permission
from pfund.domain.results import Indicator
from pfund.domain.verification import (
    Finding,
    ReportedUnit,
    SampleRequest,
    TrancheLinkRequest,
    VerificationStatus,
)
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.funding import Ledger
from pfund.io.files import read_records
from pfund.results.payment_rules import PaymentFormula, VerifiedValue, compute_payment
from pfund.results.sampling import Draw, DrawRecord, Unit, draw, redraw, sample_size_proportion
from pfund.results.verification import lqas_on_findings, lqas_rule, verification_factor
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.tranches import TrancheStep, disburse_tranche
from pfund.store.tables import (
    FindingRow,
    RemainderDecisionRow,
    ResultReportRow,
    ResultUnitRow,
    TrancheResultLinkRow,
    VerificationRow,
)
from pfund.store.unit_of_work import UnitOfWork

DRAWN, VERIFIED = VerificationStatus.DRAWN.value, VerificationStatus.VERIFIED.value
LQAS_TOLERANCE = 0.10  # a unit fails when its recount is more than 10 % off what it reported
# Lot-quality acceptance beside the factor: a report whose units fail at least 20 % of the
# time must be accepted at most 10 % of the time, whatever the sample's size
# (:func:`pfund.results.verification.lqas_rule`); 5 % failing is what a good report does.
LQAS_P_GOOD, LQAS_P_BAD, LQAS_BETA = 0.05, 0.20, 0.10


def problems_of(err: ValidationError, *, whole: str | None = None, **where: Any) -> list[Problem]:
    """Each validation error as a problem naming its field (``whole`` for an error about
    the model as a whole), and the file and row if given."""
    return [
        Problem(str(e["msg"]), field=".".join(str(p) for p in e["loc"]) or whole, **where)
        for e in err.errors()
    ]


class UnitsImport(BaseModel):
    file: str
    imported: int
    reports: list[str]


class Sample(BaseModel):
    """A drawn sample as the CLI and API show it."""

    verification: str
    report: str
    indicator: str
    confidence: Decimal
    precision: Decimal
    population: int
    record: DrawRecord
    units: list[str]


class VerificationResult(BaseModel):
    """The verification factor with its interval, the verified total, and the LQAS count."""

    verification: str
    report: str
    indicator: str
    status: str
    factor: float | None = None
    lower: float | None = None
    upper: float | None = None
    confidence: float | None = None
    sample_size: int | None = None
    reported_total: float | None = None
    verified_total: float | None = None
    verified_lower: float | None = None
    verified_upper: float | None = None
    failing_units: int | None = None
    # lot-quality acceptance on the same sample: accepted when at most lqas_d units fail
    lqas_accepted: bool | None = None
    lqas_d: int | None = None
    # sampled units recounted 0 (reported, not found at all), the share of the reported
    # total they stand for, and its exact upper bound (pfund.results.verification); None
    # for a verification stored before the interval allowed for them
    invented_units: int | None = None
    invented_share: float | None = None
    invented_upper: float | None = None


class LinkedTranche(BaseModel):
    tranche: str
    project: str
    indicator: str
    period: str
    formula: PaymentFormula


class PaymentDue(BaseModel):
    """What a linked tranche would pay now, and why."""

    tranche: str
    project: str
    indicator: str
    period: str
    status: str
    verification: str | None
    amount: Decimal
    remainder: Decimal
    currency: str
    branch: str | None
    explanation: list[str]
    # the figures behind the explanation, for a page that words them in its language
    formula: PaymentFormula
    factor: float | None = None
    verified_value: Decimal | None = None
    verified_lower: Decimal | None = None
    value_used: Decimal | None = None
    share: Decimal | None = None
    # once paid: what of the tranche is still released and unpaid, and what was decided
    # about it ("kept" or "returned"; None while undecided)
    unpaid: Decimal | None = None
    remainder_decision: str | None = None
    # the indicator's names, for a page in either language
    indicator_name: str = ""
    indicator_name_ru: str = ""


# -- units ------------------------------------------------------------------------------
def import_units(rt: Runtime, path: Path) -> UnitsImport:
    """The units each report lists (columns report, indicator, unit, stratum, reported),
    all or nothing; each (report, indicator) named gets exactly the units the file gives."""
    rt.require(Permission.IMPORT)
    records = read_records(path, key="units")
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    with rt.uow() as uow:
        pairs = uow.session.execute(select(ResultReportRow.id, ResultReportRow.project_id))
        known = dict(pairs.tuples().all())
        frameworks: dict[str, set[str]] = {}
        for r in records:
            d = {k: str(v if v is not None else "").strip() for k, v in r.data.items()}
            try:
                unit = ReportedUnit.model_validate(
                    {k: d.get(k, "") for k in ("report", "indicator", "unit", "stratum")}
                    | {"reported": d.get("reported", "")}
                )
            except ValidationError as exc:
                problems += problems_of(exc, file=r.file, row=r.row)
                continue
            problems += _unit_problems(uow, unit, known, frameworks, file=r.file, row=r.row)
            key = (unit.report, unit.indicator, unit.unit)
            if key in seen:
                problems.append(
                    Problem(
                        f"unit '{key[2]}' is listed twice for {key[0]} {key[1]}",
                        file=r.file,
                        row=r.row,
                        field="unit",
                    )
                )
            seen.add(key)
            rows.append(
                {
                    "report_id": key[0],
                    "indicator": key[1],
                    "unit_id": key[2],
                    "stratum": unit.stratum,
                    "reported": str(unit.reported),
                }
            )
        if problems:
            count = len(problems)
            raise InvalidInput(
                f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
                problems,
            )
        audit = AuditWriter(uow, rt.actor)
        for report_id, indicator in sorted({(x["report_id"], x["indicator"]) for x in rows}):
            uow.session.execute(
                delete(ResultUnitRow).where(
                    ResultUnitRow.report_id == report_id, ResultUnitRow.indicator == indicator
                )
            )
            mine = [x for x in rows if x["report_id"] == report_id and x["indicator"] == indicator]
            uow.session.execute(insert(ResultUnitRow), mine)
            audit.record(
                "results.units_set",
                "report",
                report_id,
                {"indicator": indicator, "units": len(mine), "source": path.name},
            )
        uow.commit()
    return UnitsImport(
        file=path.name, imported=len(rows), reports=sorted({x["report_id"] for x in rows})
    )


def _unit_problems(
    uow: UnitOfWork,
    unit: ReportedUnit,
    reports: dict[str, str],
    frameworks: dict[str, set[str]],
    **where: Any,
) -> list[Problem]:
    """A unit of a report that does not exist, or of an indicator its project lacks."""
    project = reports.get(unit.report)
    if project is None:
        return [Problem(f"no report '{unit.report}'", field="report", **where)]
    if project not in frameworks:
        frameworks[project] = {i.code for i in _indicators(uow, project)}
    if unit.indicator not in frameworks[project]:
        known = ", ".join(sorted(frameworks[project])) or "none"
        reason = f"project {project} has no indicator '{unit.indicator}' (known: {known})"
        return [Problem(reason, field="indicator", **where)]
    return []


def _units(uow: UnitOfWork, report_id: str, indicator: str) -> list[Unit]:
    found = uow.session.scalars(
        select(ResultUnitRow).where(
            ResultUnitRow.report_id == report_id, ResultUnitRow.indicator == indicator
        )
    ).all()
    return [Unit(id=u.unit_id, stratum=u.stratum, reported=float(u.reported)) for u in found]


# -- sampling ----------------------------------------------------------------------------
def draw_sample(
    rt: Runtime,
    report_id: str,
    indicator: str,
    *,
    confidence: float | Decimal | str = Decimal("0.95"),
    precision: float | Decimal | str = Decimal("0.05"),
    seed: int | None = None,
) -> Sample:
    """Draw and record a sample of the report's units for one indicator.

    The request is checked whole first (:class:`SampleRequest`: confidence and precision
    strictly between 0 and 1, a seed at least 0), so a bad one is refused naming the
    field. The seed, if not given, comes from the operating system; it is stored with the
    rest of the record so the draw can be repeated by anyone from the report's units.
    """
    rt.require(Permission.VERIFY)
    ask = _sample_request(report_id, indicator, confidence, precision, seed)
    # the write lock: the next verification id is counted, so two draws must not interleave
    with rt.uow(write=True) as uow:
        report = uow.session.get(ResultReportRow, ask.report)
        if report is None:
            raise NotFound(f"no report '{ask.report}'")
        codes = {i.code for i in _indicators(uow, report.project_id)}
        if ask.indicator not in codes:
            raise InvalidInput(
                f"project {report.project_id} has no indicator '{ask.indicator}'",
                [Problem(f"known: {', '.join(sorted(codes)) or 'none'}", field="indicator")],
            )
        units = _units(uow, ask.report, ask.indicator)
        if not units:
            raise InvalidInput(
                f"report {ask.report} lists no units for indicator '{ask.indicator}'",
                [Problem("import the report's units first", field="indicator")],
            )
        conf, prec = float(ask.confidence), float(ask.precision)
        n = sample_size_proportion(len(units), confidence=conf, precision=prec)
        sample = draw(units, n, seed=secrets.randbits(63) if ask.seed is None else ask.seed)
        count = uow.session.scalar(select(func.count()).select_from(VerificationRow)) or 0
        vid = f"VER-{count + 1:05d}"
        uow.session.execute(
            insert(VerificationRow).values(
                id=vid,
                report_id=ask.report,
                indicator=ask.indicator,
                confidence=str(ask.confidence),
                precision=str(ask.precision),
                draw=sample.record.model_dump_json(),
                verifier=rt.actor,
                status=DRAWN,
                drawn_at=datetime.now(UTC),
            )
        )
        AuditWriter(uow, rt.actor).record(
            "results.sample_drawn",
            "verification",
            vid,
            {
                "report": ask.report,
                "indicator": ask.indicator,
                "seed": sample.record.seed,
                "n": n,
            },
        )
        uow.commit()
    return _sample(vid, ask.report, ask.indicator, conf, prec, len(units), sample)


def _sample_request(
    report_id: str, indicator: str, confidence: object, precision: object, seed: int | None
) -> SampleRequest:
    data: dict[str, object] = {"report": report_id, "indicator": indicator, "seed": seed}
    # a float is read through its shortest repr, so 0.9 is asked as 0.9
    for name, value in (("confidence", confidence), ("precision", precision)):
        data[name] = repr(value) if isinstance(value, float) else value
    try:
        return SampleRequest.model_validate(data)
    except ValidationError as exc:
        problems = problems_of(exc)
        raise InvalidInput("the sample request is not valid; nothing drawn", problems) from exc


def _sample(
    vid: str, report: str, indicator: str, conf: float, prec: float, population: int, s: Draw
) -> Sample:
    return Sample(
        verification=vid,
        report=report,
        indicator=indicator,
        confidence=Decimal(repr(conf)),
        precision=Decimal(repr(prec)),
        population=population,
        record=s.record,
        units=list(s.unit_ids),
    )


def _verification(uow: UnitOfWork, verification_id: str) -> VerificationRow:
    row = uow.session.get(VerificationRow, verification_id)
    if row is None:
        raise NotFound(f"no verification '{verification_id}'")
    return row


def redraw_sample(rt: Runtime, verification_id: str) -> Sample:
    """The recorded sample, drawn again from the report's units (proves the record)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        row = _verification(uow, verification_id)
        units = _units(uow, row.report_id, row.indicator)
        sample = redraw(DrawRecord.model_validate_json(row.draw), units)
        conf, prec = float(row.confidence), float(row.precision)
        return _sample(row.id, row.report_id, row.indicator, conf, prec, len(units), sample)


# -- findings ----------------------------------------------------------------------------
def read_findings(path: Path) -> dict[str, Decimal]:
    """Findings from a file (columns unit, recounted); a bad row is named, nothing kept."""
    records = read_records(path, key="findings")
    found: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for r in records:
        data = {k: str(r.data.get(k) or "").strip() for k in ("unit", "recounted")}
        try:
            finding = Finding.model_validate({"verification": "file"} | data)
        except ValidationError as exc:
            problems += problems_of(exc, file=r.file, row=r.row)
            continue
        if finding.unit in found:
            reason = f"unit '{finding.unit}' is recorded twice"
            problems.append(Problem(reason, file=r.file, row=r.row, field="unit"))
        found[finding.unit] = finding.recounted
    if problems:
        raise InvalidInput(f"{path.name}: the findings cannot be read; nothing stored", problems)
    return found


def _findings(verification_id: str, given: Mapping[str, object]) -> list[Finding]:
    """Each finding checked (unit id at most 64 characters, a finite count at least 0),
    every bad one named before anything is read from the store."""
    checked: list[Finding] = []
    problems: list[Problem] = []
    for unit, value in given.items():
        text = repr(value) if isinstance(value, float) else value
        try:
            data = {"verification": verification_id[:64] or "-", "unit": unit, "recounted": text}
            checked.append(Finding.model_validate(data))
        except ValidationError as exc:
            # the field names the unit (its id cut to the column's 64), the reason is
            # pydantic's, which every channel words the same way
            problems += [
                Problem(p.reason, field=f"{p.field}.{unit[:64]}") for p in problems_of(exc)
            ]
    if problems:
        raise InvalidInput("the findings are not valid; nothing stored", problems)
    return checked


def record_findings(
    rt: Runtime, verification_id: str, findings: Mapping[str, Decimal | float | str]
) -> VerificationResult:
    """Store what was recounted per sampled unit and the computed result, atomically.

    Refused whole (nothing stored) when a finding is not a count at least 0, names a unit
    outside the draw, a drawn unit has none, or the verification already has its
    findings; the status moves from drawn to verified only if it is still drawn, so two
    verifiers cannot both record. The lot-quality decision on the same sample (at most
    ``d`` of ``n`` units more than 10 % off, ``d`` from :func:`lqas_rule`) is stored with
    the factor, as the simpler rule a funder may prefer.
    """
    rt.require(Permission.VERIFY)
    checked = _findings(verification_id, findings)
    recounted = {f.unit: float(f.recounted) for f in checked}
    with rt.uow(write=True) as uow:
        row = _verification(uow, verification_id)
        if row.status != DRAWN:
            raise Conflict(f"verification {row.id} already has its findings; nothing stored")
        units = _units(uow, row.report_id, row.indicator)
        sample = redraw(DrawRecord.model_validate_json(row.draw), units)
        # check_findings runs first inside verification_factor: a unit outside the draw
        # is refused before anything is written
        vf = verification_factor(units, sample, recounted, confidence=float(row.confidence))
        result = asdict(vf) | _lqas(units, sample, recounted)
        changed = uow.session.execute(
            update(VerificationRow)
            .where(VerificationRow.id == row.id, VerificationRow.status == DRAWN)
            .values(status=VERIFIED, result=json.dumps(result))
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"verification {row.id} was recorded by another request first")
        uow.session.execute(
            insert(FindingRow),
            [
                {"verification_id": row.id, "unit_id": f.unit, "recounted": str(f.recounted)}
                for f in sorted(checked, key=lambda f: f.unit)
            ],
        )
        AuditWriter(uow, rt.actor).record(
            "results.verified",
            "verification",
            row.id,
            {
                "report": row.report_id,
                "indicator": row.indicator,
                "factor": vf.factor,
                "verified_total": vf.verified_total,
                "lqas_accepted": result["lqas_accepted"],
            },
        )
        uow.commit()
        return _result(row.id, row.report_id, row.indicator, VERIFIED, result)


def _lqas(units: list[Unit], sample: Draw, recounted: dict[str, float]) -> dict[str, Any]:
    """How many sampled units are more than 10 % off, and the LQAS decision on them."""
    plan = lqas_rule(len(sample.unit_ids), p_good=LQAS_P_GOOD, p_bad=LQAS_P_BAD, beta=LQAS_BETA)
    decision = lqas_on_findings(units, sample, recounted, plan, tolerance=LQAS_TOLERANCE)
    return {
        "failing_units": decision.failures,
        "lqas_accepted": decision.accepted,
        "lqas_d": decision.d,
        "lqas_alpha": plan.alpha,
        "lqas_beta": plan.beta,
    }


def _result(
    vid: str, report: str, indicator: str, status: str, result: dict[str, Any] | None
) -> VerificationResult:
    fields = VerificationResult.model_fields
    extra = {k: v for k, v in (result or {}).items() if k in fields}
    return VerificationResult(
        verification=vid, report=report, indicator=indicator, status=status, **extra
    )


def verification_result(rt: Runtime, verification_id: str) -> VerificationResult:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        row = _verification(uow, verification_id)
        stored = json.loads(row.result) if row.result else None
        return _result(row.id, row.report_id, row.indicator, row.status, stored)


# -- payment by results --------------------------------------------------------------------
def link_tranche(
    rt: Runtime, tranche_id: str, indicator: str, period: str, formula: Mapping[str, Any]
) -> LinkedTranche:
    """Link a planned or released tranche to an indicator and period with its formula.

    The indicator must be one of the project's and the period one of its target periods;
    the formula is then validated in the indicator's direction (a threshold beyond the
    target, above it or below it where lower is better, is refused naming the field
    'threshold'); its amount and currency must be the tranche's.
    """
    rt.require(Permission.SET_CONDITIONS)
    try:
        ask = TrancheLinkRequest(tranche=tranche_id, indicator=indicator, period=period)
    except ValidationError as exc:
        raise InvalidInput("the link is not valid; nothing was linked", problems_of(exc)) from exc
    indicator, period = ask.indicator, ask.period
    with rt.uow(write=True) as uow:
        tranche = uow.tranches.get(ask.tranche)
        if tranche is None:
            raise NotFound(f"no tranche '{ask.tranche}'")
        if tranche.status not in (TrancheStatus.PLANNED, TrancheStatus.RELEASED):
            raise Conflict(f"tranche {tranche.id} is {tranche.status.value}; it cannot be linked")
        framework = {i.code: i for i in _indicators(uow, tranche.project_id)}
        # the formula first, read in the indicator's direction when the indicator exists
        checked = _formula(tranche, framework.get(indicator), formula)
        if indicator not in framework:
            raise InvalidInput(
                f"project {tranche.project_id} has no indicator '{indicator}'",
                [Problem(f"known: {', '.join(sorted(framework)) or 'none'}", field="indicator")],
            )
        if period not in framework[indicator].targets:
            periods = ", ".join(sorted(framework[indicator].targets)) or "none"
            raise InvalidInput(
                f"indicator '{indicator}' has no target for period {period}",
                [Problem(f"its periods: {periods}", field="period")],
            )
        uow.session.execute(
            delete(TrancheResultLinkRow).where(TrancheResultLinkRow.tranche_id == tranche.id)
        )
        uow.session.execute(
            insert(TrancheResultLinkRow).values(
                tranche_id=tranche.id,
                project_id=tranche.project_id,
                indicator=indicator,
                period=period,
                formula=checked.model_dump_json(),
            )
        )
        AuditWriter(uow, rt.actor).record(
            "tranche.linked_to_result",
            "tranche",
            tranche.id,
            {"indicator": indicator, "period": period, "formula": checked.model_dump(mode="json")},
        )
        uow.commit()
    return LinkedTranche(
        tranche=tranche.id,
        project=tranche.project_id,
        indicator=indicator,
        period=period,
        formula=checked,
    )


def _formula(
    tranche: Any, indicator: Indicator | None, formula: Mapping[str, Any]
) -> PaymentFormula:
    """The formula checked against the tranche (amount, currency) and read in the
    indicator's direction: where lower is better its threshold must be at least its
    target, and a formula that states the other direction is refused. ``None``: an
    unknown indicator (refused after), the formula read as it states itself."""
    data = {"amount": tranche.amount, "currency": tranche.currency} | dict(formula)
    given = formula.get("direction")
    if indicator is not None and given not in (None, "", indicator.direction.value):
        raise InvalidInput(
            "the payment formula is not valid; nothing was linked",
            [
                Problem(
                    f"indicator '{indicator.code}' is {indicator.direction.value} (set on "
                    f"the indicator), not {given}",
                    field="direction",
                )
            ],
        )
    if indicator is not None:
        data["direction"] = indicator.direction
    try:
        checked = PaymentFormula.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "the payment formula is not valid; nothing was linked",
            problems_of(exc, whole="formula"),
        ) from exc
    if checked.amount != tranche.amount or checked.currency != tranche.currency:
        raise InvalidInput(
            "the formula's amount must be the tranche's",
            [
                Problem(
                    f"tranche {tranche.id} is {tranche.amount} {tranche.currency}",
                    field="amount",
                )
            ],
        )
    return checked


def _indicators(uow: UnitOfWork, project_id: str) -> list[Any]:
    from pfund.services.results import repo

    return repo(uow).indicators(project_id)


def _latest_verified(uow: UnitOfWork, project_id: str, indicator: str, period: str) -> Any:
    return uow.session.execute(
        select(VerificationRow)
        .join(ResultReportRow, ResultReportRow.id == VerificationRow.report_id)
        .where(
            ResultReportRow.project_id == project_id,
            ResultReportRow.period == period,
            VerificationRow.indicator == indicator,
            VerificationRow.status == VERIFIED,
        )
        .order_by(VerificationRow.id.desc())
    ).scalar()


def _due(uow: UnitOfWork, link: TrancheResultLinkRow) -> PaymentDue:
    formula = PaymentFormula.model_validate_json(link.formula)
    tranche = uow.tranches.get(link.tranche_id)
    assert tranche is not None
    ver = _latest_verified(uow, link.project_id, link.indicator, link.period)
    named = next((i for i in _indicators(uow, link.project_id) if i.code == link.indicator), None)
    base = {
        "indicator_name": named.name if named else link.indicator,
        "indicator_name_ru": named.name_ru if named else link.indicator,
        "tranche": link.tranche_id,
        "project": link.project_id,
        "indicator": link.indicator,
        "period": link.period,
        "status": tranche.status.value,
        "currency": formula.currency,
        "formula": formula,
    }
    if ver is None:
        return PaymentDue(
            **base,
            verification=None,
            amount=Decimal(0),
            remainder=formula.amount,
            branch=None,
            explanation=[f"no verified report of {link.indicator} for {link.period} yet: pays 0"],
        )
    result = json.loads(ver.result)
    verified = VerifiedValue.of(
        result["verified_total"], result["verified_lower"], result.get("verified_upper")
    )
    payment = compute_payment(formula, verified)
    return PaymentDue(
        **base,
        verification=ver.id,
        amount=payment.amount.amount,
        remainder=payment.remainder.amount,
        branch=payment.branch.value,
        factor=result["factor"],
        verified_value=verified.value,
        verified_lower=verified.lower,
        value_used=payment.value_used,
        share=payment.share,
        explanation=[
            f"verification {ver.id} (factor {result['factor']:.4f})",
            *payment.explanation(),
        ],
    )


def payments_due(rt: Runtime) -> list[PaymentDue]:
    """What each linked tranche would pay now, and why; for a paid one, what of it is
    still unpaid and what was decided about that remainder."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        links = uow.session.scalars(
            select(TrancheResultLinkRow).order_by(TrancheResultLinkRow.tranche_id)
        ).all()
        decided = {
            r.tranche_id: r.decision
            for r in uow.session.execute(
                select(RemainderDecisionRow.tranche_id, RemainderDecisionRow.decision)
            )
        }
        ledger = Ledger(entries=tuple(uow.ledger.list())) if links else None
        out = []
        for link in links:
            due = _due(uow, link)
            if due.status == TrancheStatus.DISBURSED.value and ledger is not None:
                due.unpaid = ledger.balance(LedgerAccount.RELEASED, link.tranche_id)
                due.remainder_decision = decided.get(link.tranche_id)
            out.append(due)
        return out


def pay_by_results(rt: Runtime, tranche_id: str) -> TrancheStep:
    """Pay a released linked tranche what its verified result earns, through the ledger's
    one payment path (gate, screening holds, money lock, once per tranche)."""
    rt.require(Permission.MOVE_MONEY)
    with rt.uow() as uow:
        link = uow.session.get(TrancheResultLinkRow, tranche_id)
        if link is None:
            raise NotFound(f"tranche '{tranche_id}' is not linked to a result")
        due = _due(uow, link)
    if due.amount <= 0:
        raise Conflict(
            f"tranche {tranche_id} earns nothing now; nothing paid", [Problem(due.explanation[-2])]
        )
    return disburse_tranche(
        rt,
        tranche_id,
        amount=due.amount,
        details={"by_results": "yes", "verification": str(due.verification)},
    )
