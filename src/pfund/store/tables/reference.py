"""Rows of the fund definition and its reference vocabulary: areas, regions, contributors."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, CURRENCY, TITLE, Base


class FundRow(Base):
    """The single fund a database serves; ``id`` is always 1 so a second row cannot exist.

    Rates are exact decimal text, because a share of GDP such as 0.0025 must not drift.
    """

    __tablename__ = "fund"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(CODE)
    name: Mapped[str] = mapped_column(TITLE)
    name_ru: Mapped[str] = mapped_column(TITLE, default="")
    beneficiary_country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(CURRENCY)
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    default_share_of_gdp: Mapped[str] = mapped_column(String(40))
    discount_rate: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    iati_org_ref: Mapped[str] = mapped_column(String(100), default="", server_default="")
    iati_sectors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    # The registered verifiers of conditions: [{code, name, name_ru}, ...] in data-set order.
    verifiers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list, server_default="[]")
    # The fund's grievance policy (acknowledgement deadline, holds, suppression).
    grievances: Mapped[dict[str, object]] = mapped_column(JSON, default=dict, server_default="{}")
    # The fund's sanctions policy: the jurisdictions whose counterparties need a licence.
    sanctions: Mapped[dict[str, object]] = mapped_column(JSON, default=dict, server_default="{}")
    # How many days old an exchange rate may be when no rate was published on the day
    rate_max_age_days: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # How loans and guarantees are valued (discount rate of a grant element, defaults).
    instruments: Mapped[dict[str, object]] = mapped_column(JSON, default=dict, server_default="{}")


class AreaRow(Base):
    """An area of cooperation; DAC categories as ``311;312`` text, kept in order."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(TITLE)
    name_ru: Mapped[str] = mapped_column(TITLE, default="")
    dac_categories: Mapped[str] = mapped_column(Text, default="")


class RegionRow(Base):
    """A subdivision of the beneficiary country by its ISO 3166-2 code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(TITLE)
    name_ru: Mapped[str] = mapped_column(TITLE, default="")
    kind: Mapped[str] = mapped_column(String(100), default="")
    population: Mapped[int | None] = mapped_column(BigInteger)
    population_year: Mapped[int | None] = mapped_column(Integer)


class ContributorRow(Base):
    """A donor's GDP for one year in USD cents; percentages as exact decimal text."""

    __tablename__ = "contributors"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(TITLE)
    gdp_usd_minor: Mapped[int] = mapped_column(BigInteger)
    defence_pct_gdp: Mapped[str | None] = mapped_column(String(40))
    share_of_gdp: Mapped[str] = mapped_column(String(40))
