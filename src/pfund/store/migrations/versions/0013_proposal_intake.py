"""Proposal intake and publication: published projects, reference codes, messages.

Every project the portal showed before this upgrade (any not ``submitted``) is marked
published, so upgrading changes nothing the public sees; submitted proposals stay
unpublished.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _project_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"],
        ["projects.id"],
        name=f"fk_{table}_project_id_projects",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "project_publications",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("project_publications"),
        sa.PrimaryKeyConstraint("project_id", name="pk_project_publications"),
    )
    op.create_table(
        "proposals",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("proposals"),
        sa.PrimaryKeyConstraint("project_id", name="pk_proposals"),
        sa.UniqueConstraint("code_hash", name="uq_proposals_code_hash"),
    )
    op.create_table(
        "proposal_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _project_fk("proposal_messages"),
        sa.PrimaryKeyConstraint("id", name="pk_proposal_messages"),
    )
    op.create_index(
        "ix_proposal_messages_project_id", "proposal_messages", ["project_id"], unique=False
    )
    projects = sa.table("projects", sa.column("id", sa.String()), sa.column("status", sa.String()))
    publications = sa.table(
        "project_publications",
        sa.column("project_id", sa.String()),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    shown = sa.select(projects.c.id, sa.literal(now, sa.DateTime(timezone=True))).where(
        projects.c.status != "submitted"
    )
    op.execute(publications.insert().from_select(["project_id", "published_at"], shown))


def downgrade() -> None:
    op.drop_index("ix_proposal_messages_project_id", table_name="proposal_messages")
    op.drop_table("proposal_messages")
    op.drop_table("proposals")
    op.drop_table("project_publications")
