"""Persistent jobs, and the record of each audit-chain verification.

Long work started from a page, the API or ``pfund ... --queue`` is a row of ``jobs``
that ``pfund worker`` processes claim under a lease; ``audit_verifications`` keeps
when ``pfund audit verify`` last ran and what it found, for the metrics.

Revision ID: 0018
Revises: 0016 (re-linked to 0017 when the branches are merged)
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        _moment("created_at", nullable=False),
        _moment("started_at"),
        _moment("finished_at"),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        _moment("lease_until"),
        _moment("heartbeat_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("error", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_state_created_at", "jobs", ["state", "created_at"])
    op.create_table(
        "audit_verifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _moment("at", nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("intact", sa.Boolean(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_verifications"),
    )
    op.create_index("ix_audit_verifications_at", "audit_verifications", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_verifications_at", table_name="audit_verifications")
    op.drop_table("audit_verifications")
    op.drop_index("ix_jobs_state_created_at", table_name="jobs")
    op.drop_table("jobs")
