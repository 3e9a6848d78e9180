"""Results: each project's indicators and targets, partners' reports and their evidence.

``result_indicators`` and ``result_targets`` are the framework staff import. A row of
``result_reports`` is a report request for one project and period (with the keyed hash
of the partner's link token, never the token) that becomes the report once the partner
sends it (``submitted_at``); ``result_values`` hold what it reported. Evidence files are
stored once by the SHA-256 of their cleaned content (``evidence_files``) and linked to
the reports that cite them (``report_evidence``), with the file name the partner gave.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, ENUM, ID, TITLE, Base

DECIMAL = String(40)  # a Decimal as text: exact on both databases
LABEL = String(100)
PERIOD = String(8)  # 2030, 2030-H1, 2030-Q3
DIGEST = String(64)
REGION = String(16)


class ResultIndicatorRow(Base):
    __tablename__ = "result_indicators"

    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(TITLE)
    name_ru: Mapped[str] = mapped_column(TITLE)
    unit: Mapped[str] = mapped_column(LABEL)
    baseline: Mapped[str] = mapped_column(DECIMAL)
    baseline_date: Mapped[date] = mapped_column(Date)
    means_of_verification: Mapped[str] = mapped_column(Text, default="")
    means_of_verification_ru: Mapped[str] = mapped_column(Text, default="")
    regions: Mapped[str] = mapped_column(Text, default="")  # codes joined by ';'
    outcome: Mapped[str | None] = mapped_column(LABEL, nullable=True)
    # "increase" or "decrease" (lower is better)
    direction: Mapped[str] = mapped_column(ENUM, default="increase", server_default="increase")


class ResultTargetRow(Base):
    __tablename__ = "result_targets"
    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "code"],
            ["result_indicators.project_id", "result_indicators.code"],
            ondelete="CASCADE",
        ),
    )

    project_id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    period: Mapped[str] = mapped_column(PERIOD, primary_key=True)
    value: Mapped[str] = mapped_column(DECIMAL)


class ResultReportRow(Base):
    __tablename__ = "result_reports"
    __table_args__ = (UniqueConstraint("project_id", "period"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(PERIOD)
    due_on: Mapped[date] = mapped_column(Date)
    token_hash: Mapped[str | None] = mapped_column(DIGEST, unique=True, nullable=True)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    channel: Mapped[str] = mapped_column(ENUM, default="")


class ResultValueRow(Base):
    __tablename__ = "result_values"

    report_id: Mapped[str] = mapped_column(
        ID, ForeignKey("result_reports.id", ondelete="CASCADE"), primary_key=True
    )
    indicator: Mapped[str] = mapped_column(CODE, primary_key=True)
    region: Mapped[str] = mapped_column(REGION, primary_key=True, default="")
    value: Mapped[str] = mapped_column(DECIMAL)
    unit: Mapped[str] = mapped_column(LABEL)
    note: Mapped[str] = mapped_column(Text, default="")


class EvidenceFileRow(Base):
    __tablename__ = "evidence_files"

    sha256: Mapped[str] = mapped_column(DIGEST, primary_key=True)
    media_type: Mapped[str] = mapped_column(LABEL)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportEvidenceRow(Base):
    __tablename__ = "report_evidence"

    report_id: Mapped[str] = mapped_column(
        ID, ForeignKey("result_reports.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(
        DIGEST, ForeignKey("evidence_files.sha256", ondelete="RESTRICT"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(TITLE, default="")


class ResultUnitRow(Base):
    """One unit (site, beneficiary, contract) a report lists for an indicator, with the
    value reported for it: the population a verifier's sample is drawn from."""

    __tablename__ = "result_units"

    report_id: Mapped[str] = mapped_column(
        ID, ForeignKey("result_reports.id", ondelete="CASCADE"), primary_key=True
    )
    indicator: Mapped[str] = mapped_column(CODE, primary_key=True)
    unit_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    stratum: Mapped[str] = mapped_column(REGION, default="")
    reported: Mapped[str] = mapped_column(DECIMAL)


class VerificationRow(Base):
    """A verification of one indicator of a report: the recorded draw (a ``DrawRecord``
    as JSON, enough to redraw it), what was asked, who verifies, and once the findings
    are in, the computed result (JSON: factor, interval, verified total, LQAS)."""

    __tablename__ = "result_verifications"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    report_id: Mapped[str] = mapped_column(
        ID, ForeignKey("result_reports.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(CODE)
    confidence: Mapped[str] = mapped_column(DECIMAL)
    precision: Mapped[str] = mapped_column(DECIMAL)
    draw: Mapped[str] = mapped_column(Text)
    verifier: Mapped[str] = mapped_column(TITLE)
    status: Mapped[str] = mapped_column(ENUM)
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(Text, nullable=True)


class FindingRow(Base):
    """What the verifier recounted for one sampled unit."""

    __tablename__ = "result_findings"

    verification_id: Mapped[str] = mapped_column(
        ID, ForeignKey("result_verifications.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    recounted: Mapped[str] = mapped_column(DECIMAL)


class TrancheResultLinkRow(Base):
    """A tranche paid by results: the indicator and period it is earned on and its
    payment formula (a ``PaymentFormula`` as JSON)."""

    __tablename__ = "tranche_result_links"

    tranche_id: Mapped[str] = mapped_column(
        ID, ForeignKey("tranches.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(ID, index=True)
    indicator: Mapped[str] = mapped_column(CODE)
    period: Mapped[str] = mapped_column(PERIOD)
    formula: Mapped[str] = mapped_column(Text)


class RemainderDecisionRow(Base):
    """What was decided about the unearned remainder of a tranche paid by results: kept
    committed to the project, or returned to the fund through the ledger. One row per
    tranche (the primary key), so the remainder is returned at most once; a "kept"
    remainder may later be returned (the row moves from kept to returned, conditionally).
    """

    __tablename__ = "tranche_remainder_decisions"

    tranche_id: Mapped[str] = mapped_column(
        ID, ForeignKey("tranches.id", ondelete="CASCADE"), primary_key=True
    )
    decision: Mapped[str] = mapped_column(ENUM)
    amount: Mapped[str] = mapped_column(DECIMAL)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(TITLE)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
