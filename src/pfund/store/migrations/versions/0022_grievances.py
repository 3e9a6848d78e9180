"""Grievances: reports from anyone, their steps, evidence files, and the fund's policy.

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = (
    "'received', 'acknowledged', 'under_review', 'substantiated', "
    "'not_substantiated', 'referred', 'closed'"
)


def upgrade() -> None:
    with op.batch_alter_table("fund") as batch:
        batch.add_column(sa.Column("grievances", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "grievances",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("subject_kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reporter_name", sa.Text(), nullable=False),
        sa.Column("reporter_contact", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.Date(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holding", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_grievances_status")),
        sa.CheckConstraint(
            "subject_kind IN ('', 'project', 'organisation')",
            name=op.f("ck_grievances_subject_kind"),
        ),
        sa.CheckConstraint(
            "NOT holding OR subject_id <> ''", name=op.f("ck_grievances_hold_needs_subject")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grievances")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_grievances_code_hash")),
    )
    op.create_index(op.f("ix_grievances_subject_id"), "grievances", ["subject_id"])
    op.create_index(op.f("ix_grievances_holding"), "grievances", ["holding"])
    op.create_table(
        "grievance_events",
        sa.Column("grievance_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grievance_id"],
            ["grievances.id"],
            name=op.f("fk_grievance_events_grievance_id_grievances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grievance_id", "position", name=op.f("pk_grievance_events")),
    )
    op.create_table(
        "grievance_files",
        sa.Column("grievance_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grievance_id"],
            ["grievances.id"],
            name=op.f("fk_grievance_files_grievance_id_grievances"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grievance_id", "position", name=op.f("pk_grievance_files")),
    )


def downgrade() -> None:
    op.drop_table("grievance_files")
    op.drop_table("grievance_events")
    op.drop_index(op.f("ix_grievances_holding"), table_name="grievances")
    op.drop_index(op.f("ix_grievances_subject_id"), table_name="grievances")
    op.drop_table("grievances")
    with op.batch_alter_table("fund") as batch:
        batch.drop_column("grievances")
