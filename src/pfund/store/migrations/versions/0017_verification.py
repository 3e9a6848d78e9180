"""Verification by sampling and payment by verified results.

``result_units`` lists the units (sites, beneficiaries, contracts) a report gives for an
indicator with the value reported for each: the population a sample is drawn from. A
``result_verifications`` row keeps the recorded draw (seed, method, population digest,
strata: enough to redraw it), the confidence and precision asked, the verifier and, once
``result_findings`` are in, the computed result. ``tranche_result_links`` ties a tranche
to an indicator and period with its payment formula.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _report_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["report_id"],
        ["result_reports.id"],
        name=f"fk_{table}_report_id_result_reports",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "result_units",
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("stratum", sa.String(length=16), nullable=False),
        sa.Column("reported", sa.String(length=40), nullable=False),
        _report_fk("result_units"),
        sa.PrimaryKeyConstraint("report_id", "indicator", "unit_id", name="pk_result_units"),
    )
    op.create_table(
        "result_verifications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("confidence", sa.String(length=40), nullable=False),
        sa.Column("precision", sa.String(length=40), nullable=False),
        sa.Column("draw", sa.Text(), nullable=False),
        sa.Column("verifier", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        _report_fk("result_verifications"),
        sa.PrimaryKeyConstraint("id", name="pk_result_verifications"),
    )
    op.create_index(
        "ix_result_verifications_report_id", "result_verifications", ["report_id"], unique=False
    )
    op.create_table(
        "result_findings",
        sa.Column("verification_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("recounted", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["result_verifications.id"],
            name="fk_result_findings_verification_id_result_verifications",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("verification_id", "unit_id", name="pk_result_findings"),
    )
    op.create_table(
        "tranche_result_links",
        sa.Column("tranche_id", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tranche_id"],
            ["tranches.id"],
            name="fk_tranche_result_links_tranche_id_tranches",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tranche_id", name="pk_tranche_result_links"),
    )
    op.create_index(
        "ix_tranche_result_links_project_id", "tranche_result_links", ["project_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tranche_result_links_project_id", table_name="tranche_result_links")
    op.drop_table("tranche_result_links")
    op.drop_table("result_findings")
    op.drop_index("ix_result_verifications_report_id", table_name="result_verifications")
    op.drop_table("result_verifications")
    op.drop_table("result_units")
