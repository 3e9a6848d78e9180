"""The sample fund's grant agreements: one amended, one cancelled, one refunded.

Run by ``pfund demo`` after the results loop (so one project has been paid): the paid
project's agreement is signed and the partner refunds a tenth of what it was paid; a
second project's agreement is signed, raised by 10% and extended a year; a third's is
signed and cancelled, its unpaid money decommitted to the fund balance. Every step goes
through :mod:`pfund.services.agreements`, as the CLI, API and pages do.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import ProjectStatus, TrancheStatus
from pfund.domain.agreement import Amendment
from pfund.services import agreements
from pfund.services.runtime import Runtime

DECIDED = {ProjectStatus.APPROVED, ProjectStatus.FUNDED, ProjectStatus.IN_PROGRESS}
DUTIES = "A narrative and financial report every six months; audited accounts yearly"
DUTIES_RU = "Содержательный и финансовый отчёт раз в полгода; аудированная отчётность ежегодно"
PRECEDENT = "A bank account in the partner's name; the first work plan approved"
PRECEDENT_RU = "Банковский счёт на имя партнёра; утверждённый первый план работ"


class AgreementSample(BaseModel):
    signed: list[str]
    amended: str | None = None
    cancelled: str | None = None
    decommitted: Decimal = Decimal(0)
    refunded: str | None = None
    refund: Decimal = Decimal(0)
    currency: str = "USD"


def agreements_sample(
    rt: Runtime, *, paid_project: str | None, skip: set[str] | None = None
) -> AgreementSample | None:
    """Sign the sample agreements; None when the store already has agreements or too
    few approved projects."""
    if agreements.list_agreements(rt):
        return None
    with rt.uow() as uow:
        live = {t.project_id for t in uow.tranches.list() if t.status is TrancheStatus.PLANNED}
        others = sorted(
            p.id
            for p in uow.projects.list()
            if p.status in DECIDED and p.id in live and p.id not in (skip or set())
        )
    others = [p for p in others if p != paid_project]
    if len(others) < 2:
        return None
    sample = AgreementSample(signed=[])
    if paid_project is not None:
        paid = _signed(rt, paid_project, date(2027, 1, 15))
        line = agreements.get_agreement(rt, paid)
        tenth = (line.money.paid / 10).quantize(Decimal("0.01"))
        if tenth > 0:
            agreements.refund(
                rt, paid, tenth, reason="Unspent balance of the first period returned"
            )
            sample = sample.model_copy(update={"refunded": paid, "refund": tenth})
        sample.signed.append(paid)
    amended = _signed(rt, others[0], date(2027, 2, 1))
    line = agreements.get_agreement(rt, amended)
    more = (line.agreement.amount * Decimal("1.1")).quantize(Decimal("0.01"))
    agreements.amend(
        rt,
        amended,
        Amendment(version=line.agreement.version, reason="A second site added", amount=more),
    )
    agreements.amend(
        rt,
        amended,
        Amendment(
            version=line.agreement.version + 1,
            reason="Construction delayed by the winter",
            ends_on=date(2030, 12, 31),
        ),
    )
    cancelled = _signed(rt, others[-1], date(2027, 2, 15))
    done = agreements.cancel(rt, cancelled, reason="The partner withdrew before work began")
    return sample.model_copy(
        update={
            "signed": [*sample.signed, amended, cancelled],
            "amended": amended,
            "cancelled": cancelled,
            "decommitted": done.decommitted,
            "currency": done.agreement.currency,
        }
    )


def _signed(rt: Runtime, project: str, on: date) -> str:
    made = agreements.draw_up(
        rt,
        project,
        conditions_precedent=PRECEDENT,
        conditions_precedent_ru=PRECEDENT_RU,
        reporting_duties=DUTIES,
        reporting_duties_ru=DUTIES_RU,
        ends_on=date(2029, 12, 31),
    )
    agreements.sign(rt, made.id, signed_on=on)
    return made.id
