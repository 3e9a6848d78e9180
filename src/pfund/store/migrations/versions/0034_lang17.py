"""The exchange rates' source in Russian: ``exchange_rates.source_ru``.

Every text a person reads exists in English and Russian, the fund's own data included;
a rate's source is shown on the public money pages and in open data. Rates stored
before carry the ECB's name, so the two texts ``pfund`` itself writes (the ECB's name
and the sample fund's two days) get their Russian here; any other source stays empty
until its rates are imported again with ``--source-ru``.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The texts as pfund wrote them then (pfund.io.rates.ECB_SOURCE, services.demo.SAMPLE_RATES).
KNOWN = {
    "ECB euro foreign exchange reference rates": (
        "Справочные курсы евро Европейского центрального банка (ЕЦБ)"
    ),
    "ECB euro foreign exchange reference rates (two days; rates/README.md)": (
        "Справочные курсы евро ЕЦБ (два дня; rates/README.md)"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("exchange_rates") as batch:
        batch.add_column(
            sa.Column("source_ru", sa.String(length=300), server_default="", nullable=False)
        )
    rates = sa.table("exchange_rates", sa.column("source", sa.String), sa.column("source_ru"))
    for english, russian in KNOWN.items():
        op.execute(rates.update().where(rates.c.source == english).values(source_ru=russian))


def downgrade() -> None:
    with op.batch_alter_table("exchange_rates") as batch:
        batch.drop_column("source_ru")
