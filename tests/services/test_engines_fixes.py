"""Figures people read follow the fund's data and the money: the share of GDP on the
portal, project statuses through the lifecycle, money released but not paid."""

from __future__ import annotations

from decimal import Decimal

from pfund.services import portal
from pfund.services.runtime import Runtime


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
