"""The fund definition and its reference data: areas, regions, contributors."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, delete, insert, select
from sqlalchemy.orm import Session

from pfund.domain.fund import FundDefinition
from pfund.domain.money import from_minor, to_minor
from pfund.domain.reference import Area, Contributor, Region
from pfund.store.repositories._rows import RowDict, insert_many, table
from pfund.store.tables import AreaRow, ContributorRow, FundRow, RegionRow

FUND_ID = 1
GDP_CURRENCY = "USD"
DAC_SEPARATOR = ";"


class FundRepository:
    """The one fund a database serves."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self) -> FundDefinition | None:
        row = self.session.execute(select(table(FundRow))).first()
        if row is None:
            return None
        values = dict(row._mapping)
        del values["id"]
        return FundDefinition(**values)

    def put(self, fund: FundDefinition) -> None:
        """Set the fund definition, replacing any stored before."""
        values = fund.model_dump() | {
            "id": FUND_ID,
            "default_share_of_gdp": str(fund.default_share_of_gdp),
            "discount_rate": str(fund.discount_rate),
        }
        self.session.execute(delete(table(FundRow)))
        self.session.execute(insert(table(FundRow)).values(values))


def area_row(area: Area) -> RowDict:
    bad = [c for c in area.dac_categories if DAC_SEPARATOR in c]
    if bad:
        raise ValueError(f"area {area.code}: DAC category {bad[0]!r} contains ';'")
    return area.model_dump() | {"dac_categories": DAC_SEPARATOR.join(area.dac_categories)}


def build_area(row: Row[Any]) -> Area:
    values = dict(row._mapping)
    text = values.pop("dac_categories")
    return Area(**values, dac_categories=text.split(DAC_SEPARATOR) if text else [])


def contributor_row(contributor: Contributor) -> RowDict:
    """GDP in US cents; percentages as exact decimal text."""
    pct = contributor.defence_pct_gdp
    return contributor.model_dump(exclude={"gdp_usd"}) | {
        "gdp_usd_minor": to_minor(contributor.gdp_usd, GDP_CURRENCY),
        "defence_pct_gdp": None if pct is None else str(pct),
        "share_of_gdp": str(contributor.share_of_gdp),
    }


def build_contributor(row: Row[Any]) -> Contributor:
    pct = row.defence_pct_gdp
    return Contributor(
        iso3=row.iso3,
        name=row.name,
        year=row.year,
        gdp_usd=from_minor(row.gdp_usd_minor, GDP_CURRENCY),
        defence_pct_gdp=None if pct is None else Decimal(pct),
        share_of_gdp=Decimal(row.share_of_gdp),
    )


class ReferenceRepository:
    """Areas, regions and contributors, each listed in key order."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_areas(self, areas: Iterable[Area]) -> None:
        insert_many(self.session, AreaRow, [area_row(a) for a in areas])

    def areas(self) -> builtins.list[Area]:
        areas = table(AreaRow)
        return [build_area(r) for r in self.session.execute(select(areas).order_by(areas.c.code))]

    def add_regions(self, regions: Iterable[Region]) -> None:
        insert_many(self.session, RegionRow, [r.model_dump() for r in regions])

    def regions(self) -> builtins.list[Region]:
        regions = table(RegionRow)
        rows = self.session.execute(select(regions).order_by(regions.c.code))
        return [Region(**dict(r._mapping)) for r in rows]

    def add_contributors(self, contributors: Iterable[Contributor]) -> None:
        insert_many(self.session, ContributorRow, [contributor_row(c) for c in contributors])

    def contributors(self, year: int | None = None) -> builtins.list[Contributor]:
        """Contributors ordered by country then year, optionally for one year only."""
        rows = table(ContributorRow)
        query = select(rows).order_by(rows.c.iso3, rows.c.year)
        if year is not None:
            query = query.where(rows.c.year == year)
        return [build_contributor(r) for r in self.session.execute(query)]
