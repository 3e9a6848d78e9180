"""Screening: watchlists, their entities, hits, append-only review decisions, outreach.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Review decisions are evidence: the database itself refuses to change or remove one.
APPEND_ONLY = "hit decisions are append-only: add a new decision instead"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER hit_decisions_no_{verb.lower()} BEFORE {verb} ON hit_decisions "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION hit_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END; $$",
    "CREATE TRIGGER hit_decisions_no_change BEFORE UPDATE OR DELETE ON hit_decisions "
    "FOR EACH ROW EXECUTE FUNCTION hit_decisions_append_only()",
]


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS hit_decisions_no_update")
        op.execute("DROP TRIGGER IF EXISTS hit_decisions_no_delete")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS hit_decisions_no_change ON hit_decisions")
        op.execute("DROP FUNCTION IF EXISTS hit_decisions_append_only()")


def upgrade() -> None:
    op.create_table(
        "watchlists",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlists")),
    )
    op.create_table(
        "watchlist_entities",
        sa.Column("watchlist_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("schema_name", sa.String(length=32), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("identifiers", sa.JSON(), nullable=False),
        sa.Column("birth_dates", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_watchlist_entities_watchlist_id_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "entity_id", name=op.f("pk_watchlist_entities")),
    )
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("counterparty_kind", sa.String(length=32), nullable=False),
        sa.Column("counterparty_id", sa.String(length=64), nullable=False),
        sa.Column("watchlist_id", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("entity_hash", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["watchlists.id"],
            name=op.f("fk_screening_hits_watchlist_id_watchlists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
        sa.UniqueConstraint(
            "counterparty_kind",
            "counterparty_id",
            "watchlist_id",
            "entity_id",
            "entity_hash",
            name="uq_screening_hits_pair",
        ),
    )
    op.create_index(
        op.f("ix_screening_hits_counterparty_id"),
        "screening_hits",
        ["counterparty_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_screening_hits_watchlist_id"), "screening_hits", ["watchlist_id"], unique=False
    )
    op.create_table(
        "hit_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hit_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hit_id"], ["screening_hits.id"], name=op.f("fk_hit_decisions_hit_id_screening_hits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hit_decisions")),
    )
    op.create_index(op.f("ix_hit_decisions_hit_id"), "hit_decisions", ["hit_id"], unique=False)
    _append_only()
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("staff", sa.String(length=200), nullable=False),
        sa.Column("contact_person_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_outreach_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_person_id"],
            ["people.id"],
            name=op.f("fk_outreach_contact_person_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach")),
    )
    op.create_index(
        op.f("ix_outreach_organisation_id"), "outreach", ["organisation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outreach_organisation_id"), table_name="outreach")
    op.drop_table("outreach")
    _drop_append_only()
    op.drop_index(op.f("ix_hit_decisions_hit_id"), table_name="hit_decisions")
    op.drop_table("hit_decisions")
    op.drop_index(op.f("ix_screening_hits_watchlist_id"), table_name="screening_hits")
    op.drop_index(op.f("ix_screening_hits_counterparty_id"), table_name="screening_hits")
    op.drop_table("screening_hits")
    op.drop_table("watchlist_entities")
    op.drop_table("watchlists")
