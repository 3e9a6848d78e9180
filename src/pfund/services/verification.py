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
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, insert, select, update

from pfund.domain import TrancheStatus
from pfund.domain.account import Permission
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.files import read_records
from pfund.results.payment_rules import PaymentFormula, VerifiedValue, compute_payment
from pfund.results.sampling import Draw, DrawRecord, Unit, draw, redraw, sample_size_proportion
from pfund.results.verification import unit_fails, verification_factor
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.tranches import TrancheStep, disburse_tranche
from pfund.store.tables import (
    FindingRow,
    ResultReportRow,
    ResultUnitRow,
    TrancheResultLinkRow,
    VerificationRow,
)
from pfund.store.unit_of_work import UnitOfWork

DRAWN, VERIFIED = "drawn", "verified"
LQAS_TOLERANCE = 0.10  # a unit fails when its recount is more than 10 % off what it reported


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
        known = set(uow.session.scalars(select(ResultReportRow.id)))
        for r in records:
            d = {k: str(v if v is not None else "").strip() for k, v in r.data.items()}

            def bad(reason: str, field: str, rec: Any = r) -> None:
                problems.append(Problem(reason, file=rec.file, row=rec.row, field=field))

            if d.get("report", "") not in known:
                bad(f"no report '{d.get('report', '')}'", "report")
            if not d.get("indicator"):
                bad("an indicator code is needed", "indicator")
            if not d.get("unit"):
                bad("a unit id is needed", "unit")
            try:
                value = Decimal(d.get("reported", ""))
                if not value.is_finite() or value < 0:
                    raise InvalidOperation
            except InvalidOperation:
                bad(f"'{d.get('reported', '')}' is not a number at least 0", "reported")
                continue
            key = (d.get("report", ""), d.get("indicator", ""), d.get("unit", ""))
            if key in seen:
                bad(f"unit '{key[2]}' is listed twice for {key[0]} {key[1]}", "unit")
            seen.add(key)
            rows.append(
                {
                    "report_id": key[0],
                    "indicator": key[1],
                    "unit_id": key[2],
                    "stratum": d.get("stratum", ""),
                    "reported": str(value),
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
    confidence: float = 0.95,
    precision: float = 0.05,
    seed: int | None = None,
) -> Sample:
    """Draw and record a sample of the report's units for one indicator.

    The seed, if not given, comes from the operating system; it is stored with the rest
    of the record so the draw can be repeated by anyone from the report's units.
    """
    rt.require(Permission.VERIFY)
    if seed is not None and seed < 0:
        raise InvalidInput("bad seed", [Problem("the seed must be at least 0", field="seed")])
    # the write lock: the next verification id is counted, so two draws must not interleave
    with rt.uow(write=True) as uow:
        if uow.session.get(ResultReportRow, report_id) is None:
            raise NotFound(f"no report '{report_id}'")
        units = _units(uow, report_id, indicator)
        if not units:
            raise InvalidInput(
                f"report {report_id} lists no units for indicator '{indicator}'",
                [Problem("import the report's units first", field="indicator")],
            )
        try:
            n = sample_size_proportion(len(units), confidence=confidence, precision=precision)
        except ValueError as exc:
            raise InvalidInput("bad sample request", [Problem(str(exc))]) from exc
        sample = draw(units, n, seed=secrets.randbits(63) if seed is None else seed)
        count = uow.session.scalar(select(func.count()).select_from(VerificationRow)) or 0
        vid = f"VER-{count + 1:05d}"
        uow.session.execute(
            insert(VerificationRow).values(
                id=vid,
                report_id=report_id,
                indicator=indicator,
                confidence=repr(confidence),
                precision=repr(precision),
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
            {"report": report_id, "indicator": indicator, "seed": sample.record.seed, "n": n},
        )
        uow.commit()
    return _sample(vid, report_id, indicator, confidence, precision, len(units), sample)


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
def read_findings(path: Path) -> dict[str, float]:
    """Findings from a file (columns unit, recounted); a bad row is named, nothing kept."""
    records = read_records(path, key="findings")
    found: dict[str, float] = {}
    problems: list[Problem] = []
    for r in records:
        unit = str(r.data.get("unit") or "").strip()
        text = str(r.data.get("recounted") or "").strip()
        try:
            value = float(Decimal(text))
            if value < 0 or value != value:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                Problem(
                    f"'{text}' is not a count at least 0",
                    file=r.file,
                    row=r.row,
                    field="recounted",
                )
            )
            continue
        if unit in found:
            problems.append(
                Problem(f"unit '{unit}' is recorded twice", file=r.file, row=r.row, field="unit")
            )
        found[unit] = value
    if problems:
        raise InvalidInput(f"{path.name}: the findings cannot be read; nothing stored", problems)
    return found


def record_findings(
    rt: Runtime, verification_id: str, findings: dict[str, float]
) -> VerificationResult:
    """Store what was recounted per sampled unit and the computed result, atomically.

    Refused whole (nothing stored) when a finding names a unit outside the draw, a drawn
    unit has none, or the verification already has its findings; the status moves from
    drawn to verified only if it is still drawn, so two verifiers cannot both record.
    """
    rt.require(Permission.VERIFY)
    with rt.uow(write=True) as uow:
        row = _verification(uow, verification_id)
        if row.status != DRAWN:
            raise Conflict(f"verification {row.id} already has its findings; nothing stored")
        units = _units(uow, row.report_id, row.indicator)
        sample = redraw(DrawRecord.model_validate_json(row.draw), units)
        # check_findings runs first inside verification_factor: a unit outside the draw
        # is refused before anything is written
        vf = verification_factor(units, sample, findings, confidence=float(row.confidence))
        reported = {u.id: u.reported for u in units}
        failing = sum(
            unit_fails(reported[u], findings[u], tolerance=LQAS_TOLERANCE) for u in sample.unit_ids
        )
        result = asdict(vf) | {"failing_units": failing}
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
                {"verification_id": row.id, "unit_id": u, "recounted": repr(v)}
                for u, v in sorted(findings.items())
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
            },
        )
        uow.commit()
        return _result(row.id, row.report_id, row.indicator, VERIFIED, result)


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
    rt: Runtime, tranche_id: str, indicator: str, period: str, formula: dict[str, Any]
) -> LinkedTranche:
    """Link a planned or released tranche to an indicator and period with its formula.

    The formula is validated first (a threshold above the target is refused naming the
    field 'threshold'); its amount and currency must be the tranche's.
    """
    rt.require(Permission.SET_CONDITIONS)
    with rt.uow(write=True) as uow:
        tranche = uow.tranches.get(tranche_id)
        if tranche is None:
            raise NotFound(f"no tranche '{tranche_id}'")
        data = {"amount": tranche.amount, "currency": tranche.currency} | formula
        try:
            checked = PaymentFormula.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(
                "the payment formula is not valid; nothing was linked",
                [
                    Problem(e["msg"], field=".".join(str(p) for p in e["loc"]) or "formula")
                    for e in exc.errors()
                ],
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
        if tranche.status not in (TrancheStatus.PLANNED, TrancheStatus.RELEASED):
            raise Conflict(f"tranche {tranche.id} is {tranche.status.value}; it cannot be linked")
        framework = {i.code: i for i in _indicators(uow, tranche.project_id)}
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
    base = {
        "tranche": link.tranche_id,
        "project": link.project_id,
        "indicator": link.indicator,
        "period": link.period,
        "status": tranche.status.value,
        "currency": formula.currency,
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
    verified = VerifiedValue.of(result["verified_total"], result["verified_lower"])
    payment = compute_payment(formula, verified)
    return PaymentDue(
        **base,
        verification=ver.id,
        amount=payment.amount.amount,
        remainder=payment.remainder.amount,
        branch=payment.branch.value,
        explanation=[
            f"verification {ver.id} (factor {result['factor']:.4f})",
            *payment.explanation(),
        ],
    )


def payments_due(rt: Runtime) -> list[PaymentDue]:
    """What each linked tranche would pay now, and why."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        links = uow.session.scalars(
            select(TrancheResultLinkRow).order_by(TrancheResultLinkRow.tranche_id)
        ).all()
        return [_due(uow, link) for link in links]


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
