"""Results: indicators and targets per project, partners' reports and evidence files.

A report row is first a request (the keyed hash of the partner's link token, the due
date) and becomes the report when the partner sends it. Evidence files are stored once,
by the SHA-256 of their cleaned content (images without their EXIF and GPS metadata).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"],
        ["projects.id"],
        name=f"fk_{table}_project_id_projects",
        ondelete="CASCADE",
    )


def _report_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["report_id"],
        ["result_reports.id"],
        name=f"fk_{table}_report_id_result_reports",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "result_indicators",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("baseline", sa.String(length=40), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("means_of_verification", sa.Text(), nullable=False),
        sa.Column("means_of_verification_ru", sa.Text(), nullable=False),
        sa.Column("regions", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        _project_fk("result_indicators"),
        sa.PrimaryKeyConstraint("project_id", "code", name="pk_result_indicators"),
    )
    op.create_table(
        "result_targets",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id", "code"],
            ["result_indicators.project_id", "result_indicators.code"],
            name="fk_result_targets_project_id_result_indicators",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "code", "period", name="pk_result_targets"),
    )
    op.create_table(
        "result_reports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        _project_fk("result_reports"),
        sa.PrimaryKeyConstraint("id", name="pk_result_reports"),
        sa.UniqueConstraint("project_id", "period", name="uq_result_reports_project_id"),
        sa.UniqueConstraint("token_hash", name="uq_result_reports_token_hash"),
    )
    op.create_index("ix_result_reports_project_id", "result_reports", ["project_id"], unique=False)
    op.create_table(
        "result_values",
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _report_fk("result_values"),
        sa.PrimaryKeyConstraint("report_id", "indicator", "region", name="pk_result_values"),
    )
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_evidence_files"),
    )
    op.create_table(
        "report_evidence",
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        _report_fk("report_evidence"),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["evidence_files.sha256"],
            name="fk_report_evidence_sha256_evidence_files",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("report_id", "sha256", name="pk_report_evidence"),
    )


def downgrade() -> None:
    op.drop_table("report_evidence")
    op.drop_table("evidence_files")
    op.drop_table("result_values")
    op.drop_index("ix_result_reports_project_id", table_name="result_reports")
    op.drop_table("result_reports")
    op.drop_table("result_targets")
    op.drop_table("result_indicators")
