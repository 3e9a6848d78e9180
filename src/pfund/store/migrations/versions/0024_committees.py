"""The joint committee: committees, seats, items, declared conflicts and votes.

A seat holder's name and a conflict's reason are sealed at rest (pfund.store.crypto);
one vote per seat per item is a unique constraint.

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "committees",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_committees"),
    )
    op.create_table(
        "committee_seats",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("committee", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=32), nullable=False),
        sa.Column("contributor", sa.String(length=3), nullable=True),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("member", sa.String(length=64), nullable=True),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["committee"],
            ["committees.code"],
            name="fk_committee_seats_committee_committees",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_committee_seats_organisation_id_organisations",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["member"], ["users.username"], name="fk_committee_seats_member_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_committee_seats"),
        sa.UniqueConstraint("committee", "label", name="uq_committee_seats_label"),
    )
    op.create_table(
        "committee_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("committee", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("projects", sa.JSON(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee"],
            ["committees.code"],
            name="fk_committee_items_committee_committees",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_committee_items"),
    )
    op.create_table(
        "committee_conflicts",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["committee_items.id"],
            name="fk_committee_conflicts_item_id_committee_items",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["committee_seats.id"],
            name="fk_committee_conflicts_seat_id_committee_seats",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "seat_id", name="pk_committee_conflicts"),
    )
    op.create_table(
        "committee_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("vote", sa.String(length=32), nullable=False),
        sa.Column("cast_by", sa.String(length=200), nullable=False),
        sa.Column("cast_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["committee_items.id"],
            name="fk_committee_votes_item_id_committee_items",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["committee_seats.id"],
            name="fk_committee_votes_seat_id_committee_seats",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_committee_votes"),
        sa.UniqueConstraint("item_id", "seat_id", name="uq_committee_votes_seat"),
    )
    op.create_index("ix_committee_votes_item_id", "committee_votes", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_committee_votes_item_id", table_name="committee_votes")
    for name in (
        "committee_votes",
        "committee_conflicts",
        "committee_items",
        "committee_seats",
        "committees",
    ):
        op.drop_table(name)
