"""A committee seat's label in Russian: ``committee_seats.label_ru``.

Seats are identified by their label (votes are cast by it, decision records name it),
and a label is typed in English; a Russian page shows the seat by its Russian label.
Seats stored before get the Russian ``pfund`` itself derives for a new seat
(``services.committee.default_label_ru``): a donor seat by its state's name in Russian,
a seat labelled "Russian seat N" (the sample fund's) as "Российское место N"; any other
seat stays empty, and a Russian page shows its label as given.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pycountry
import sqlalchemy as sa
from alembic import op
from babel import Locale

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NUMBERED = re.compile(r"^Russian seat (\d+)$")


def _russian(label: str, side: str, contributor: str | None) -> str:
    if side == "donor" and contributor:
        found = pycountry.countries.get(alpha_3=contributor.upper())
        names = Locale.parse("ru").territories
        return f"Донор — {names.get(found.alpha_2, contributor) if found else contributor}"[:64]
    numbered = NUMBERED.match(label)
    return f"Российское место {numbered.group(1)}" if side == "russian" and numbered else ""


def upgrade() -> None:
    with op.batch_alter_table("committee_seats") as batch:
        batch.add_column(
            sa.Column("label_ru", sa.String(length=64), server_default="", nullable=False)
        )
    seats = sa.table(
        "committee_seats",
        sa.column("id", sa.Integer),
        sa.column("label", sa.String),
        sa.column("side", sa.String),
        sa.column("contributor", sa.String),
        sa.column("label_ru", sa.String),
    )
    bind = op.get_bind()
    for row in bind.execute(
        sa.select(seats.c.id, seats.c.label, seats.c.side, seats.c.contributor)
    ):
        russian = _russian(row.label, row.side, row.contributor)
        if russian:
            bind.execute(seats.update().where(seats.c.id == row.id).values(label_ru=russian))


def downgrade() -> None:
    with op.batch_alter_table("committee_seats") as batch:
        batch.drop_column("label_ru")
