"""Rows of a project and its children: regions, partners, contacts, links, money, outcomes.

Lists keep their order in a ``position`` column, so a project read back equals the one
written. Money is integer minor units of the project's currency; outcomes are quantities
and may be floats.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Double, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, CURRENCY, ENUM, ID, SEALED, TITLE, Base

PROJECT_FK = "projects.id"


def _project_id() -> Mapped[str]:
    """The owning project; deleting a project deletes its children with it."""
    return mapped_column(ID, ForeignKey(PROJECT_FK, ondelete="CASCADE"), primary_key=True)


class ProjectRow(Base):
    """A project's scalar fields."""

    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(TITLE)
    title_ru: Mapped[str] = mapped_column(TITLE, default="")
    description: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    description_ru: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    area: Mapped[str] = mapped_column(CODE, ForeignKey("areas.code"), index=True)
    proponent: Mapped[str | None] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(ENUM, index=True)
    currency: Mapped[str] = mapped_column(CURRENCY)
    stage: Mapped[int] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(ENUM)
    value_score: Mapped[float | None] = mapped_column(Double, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    protected_fields: Mapped[list[str]] = mapped_column(JSON)
    # 1 when created; each update by import adds one (migration 0015).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ProjectRegionRow(Base):
    __tablename__ = "project_regions"

    project_id: Mapped[str] = _project_id()
    region: Mapped[str] = mapped_column(
        String(16), ForeignKey("regions.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class ProjectPartnerRow(Base):
    __tablename__ = "project_partners"

    project_id: Mapped[str] = _project_id()
    organisation_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organisations.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class ProjectContactRow(Base):
    """A contact as the project gives it (a person id or a protected note), in order."""

    __tablename__ = "project_contacts"

    project_id: Mapped[str] = _project_id()
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contact: Mapped[str] = mapped_column(Text, info=SEALED)


class ProjectLinkRow(Base):
    """``depends_on`` or ``excludes`` another project.

    The reference to the other project is checked at commit (deferred), so a batch of
    projects that point at each other may be added in any order within one transaction.
    """

    __tablename__ = "project_links"

    project_id: Mapped[str] = _project_id()
    other_id: Mapped[str] = mapped_column(
        ID,
        ForeignKey(PROJECT_FK, deferrable=True, initially="DEFERRED"),
        primary_key=True,
        index=True,
    )
    kind: Mapped[str] = mapped_column(ENUM)
    position: Mapped[int] = mapped_column(Integer)


class ProjectCostRow(Base):
    """One year's capital or running cost as low / likely / high minor units."""

    __tablename__ = "project_costs"

    project_id: Mapped[str] = _project_id()
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(ENUM, primary_key=True)
    low: Mapped[int] = mapped_column(BigInteger)
    likely: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)


class ProjectBenefitRow(Base):
    """One year of one benefit stream; ``position`` keeps the streams' order."""

    __tablename__ = "project_benefits"

    project_id: Mapped[str] = _project_id()
    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(Integer)
    low: Mapped[int] = mapped_column(BigInteger)
    likely: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)


class ProjectOutcomeRow(Base):
    """A non-monetary outcome; a quantity, so a double is exact enough."""

    __tablename__ = "project_outcomes"

    project_id: Mapped[str] = _project_id()
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(100), default="")
    name_ru: Mapped[str] = mapped_column(TITLE, default="")
    low: Mapped[float] = mapped_column(Double)
    likely: Mapped[float] = mapped_column(Double)
    high: Mapped[float] = mapped_column(Double)


class ProjectScoreRow(Base):
    """A criterion score given by an analyst or reviewer (e.g. democratic_governance)."""

    __tablename__ = "project_scores"

    project_id: Mapped[str] = _project_id()
    criterion: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Double)
