"""The demo's loan at work: paid out through its project's tranche, then repaid.

The sample loan (``instruments.yaml``) is on a project the committee keeps and the gate
lets pay now (stage 0: it needs no political condition). After the run is approved its
first tranche is released and paid, which is what the borrower receives (the ledger's
``disbursed``); the borrower then pays the first instalments of the schedule up to and
including the first that repays principal (interest of the grace periods, then interest
and principal), so the ledger's ``interest_received`` and ``principal_repaid`` move.
Every step goes through the services the CLI and the API use.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from pfund.domain import TrancheStatus
from pfund.errors import PfundError
from pfund.funding.instruments import schedule
from pfund.services.instruments import list_instruments, loan_view, repay_loan
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, list_tranches, release_tranche


class LoanSample(BaseModel):
    """What the demo did with its loan."""

    project: str
    tranche: str
    disbursed: Decimal
    repaid: Decimal  # the repayment: interest and principal together
    instalments: int  # how many scheduled instalments it covers
    interest: Decimal
    principal: Decimal
    outstanding: Decimal
    currency: str


def run_loan_sample(rt: Runtime) -> LoanSample | None:
    """Pay out the sample loan's first tranche and take its first repayment; None when
    the fund has no loan or its project has no tranche the gate lets pay now."""
    loans = list_instruments(rt).loans
    if not loans:
        return None
    terms = loans[0].terms
    planned = sorted(
        (
            t
            for t in list_tranches(rt)
            if t.project_id == terms.project_id and t.status is TrancheStatus.PLANNED
        ),
        key=lambda t: (t.year, t.id),
    )
    if not planned:
        return None
    first = planned[0]
    try:
        release_tranche(rt, first.id)
        paid = disburse_tranche(rt, first.id)
    except PfundError:
        return None  # the gate holds it (a condition, a grievance): the demo says nothing
    rows = schedule(terms)
    due = next(i for i, row in enumerate(rows) if row.principal > 0) + 1
    amount = sum((row.payment for row in rows[:due]), Decimal(0))
    repaid = repay_loan(rt, terms.project_id, amount)
    view = loan_view(rt, terms.project_id)
    return LoanSample(
        project=terms.project_id,
        tranche=first.id,
        disbursed=paid.amount,
        repaid=amount,
        instalments=due,
        interest=repaid.interest,
        principal=repaid.principal,
        outstanding=view.outstanding,
        currency=repaid.currency,
    )
