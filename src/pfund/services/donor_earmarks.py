"""Donor agreements' earmarked money as the optimiser's earmarked pools.

Kept apart from ``pfund.services.donors`` so the appraisal's inputs can read it without
importing the reports' helpers.
"""

from __future__ import annotations

from datetime import date

from pfund.domain import FundDefinition
from pfund.domain.fx import convert
from pfund.funding.donors import fee_on
from pfund.portfolio.earmarks import EarmarkPool
from pfund.services.rates import rate_for
from pfund.store.repositories.donors import DonorRepository
from pfund.store.unit_of_work import UnitOfWork

__all__ = ["earmark_pools"]


def earmark_pools(uow: UnitOfWork, fund: FundDefinition, day: date) -> list[EarmarkPool]:
    """Each earmarked agreement's instalments by the year they fall due, net of its fee,
    in the fund's currency at ``day``'s rate (the rate projects are converted at)."""
    repo = DonorRepository(uow.session, fund.currency)
    pools = []
    for a in repo.list():
        if not a.earmark.limits:
            continue
        used = rate_for(uow, a.currency, fund.currency, day, fund.rate_max_age_days)
        amounts: dict[int, float] = {}
        for inst in a.instalments:
            net = inst.amount - fee_on(inst.amount, a.admin_fee)
            value = float(convert(net, used.rate, fund.currency))
            amounts[inst.due.year] = amounts.get(inst.due.year, 0.0) + value
        pools.append(EarmarkPool(a.id, amounts, a.earmark.allows))
    return pools
