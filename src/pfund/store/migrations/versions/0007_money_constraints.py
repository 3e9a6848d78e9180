"""Money moves once: constraints, balances kept by the database, a money lock, idempotency keys.

- CHECK that every ledger and tranche amount is positive;
- a tranche is released once and disbursed once (a partial unique index on the ledger);
- a contribution's pledge, receipt and their reversals are unique per (member, year,
  correction), so running the same recording twice cannot double it;
- ``ledger_balances``: each account's balance per scope, kept by an AFTER INSERT
  trigger on ``ledger_entries`` and held at zero or above by CHECK, so no entry that
  would overdraw an account can be stored, whoever inserts it;
- ``money_lock``: the one row every money or condition change locks before it reads;
- ``idempotency_keys``: first answers of money writes, by (actor, key).

A store the old race already doubled (a tranche released twice, an overdrawn account)
cannot take these constraints: the upgrade stops and names what must be corrected.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Paid once per tranche; a release may repeat after an unfreeze, and the committed
# balance (never below zero) refuses one without a new commitment.
ONCE_PER_TRANCHE = "debit = 'disbursed' AND credit = 'released'"
CONTRIBUTOR_ACCOUNTS = "('pledged', 'contributions_receivable')"


def _scope(account: str) -> str:
    """SQL for the scope of ``account`` (NEW.debit or NEW.credit) of the new entry."""
    return (
        f"CASE WHEN {account} IN {CONTRIBUTOR_ACCOUNTS} THEN COALESCE(NEW.contributor, '') "
        f"WHEN {account} = 'fund_balance' THEN '' ELSE COALESCE(NEW.tranche_id, '') END"
    )


def _delta(account: str, sign: str) -> str:
    """Money into the debited account (sign '+'), out of the credited one ('-');
    ``pledged`` is credit-normal, so its sign is the other way round."""
    other = "-" if sign == "+" else "+"
    return f"CASE WHEN {account} = 'pledged' THEN {other}NEW.amount_minor ELSE {sign}NEW.amount_minor END"


def _upsert(account: str, sign: str, table: str) -> str:
    """Add the entry's amount to the account's balance row, or create the row.

    UPDATE first, then INSERT only when no row exists: an INSERT ... ON CONFLICT would
    have its CHECK tested on the proposed row (the bare delta, negative for a credit)
    before the conflict is found, on both databases.
    """
    where = f"account = {account} AND scope = {_scope(account)}"
    return (
        f"UPDATE {table} SET balance_minor = balance_minor + {_delta(account, sign)} "
        f"WHERE {where}; "
        f"INSERT INTO {table} (account, scope, balance_minor) "
        f"SELECT {account}, {_scope(account)}, {_delta(account, sign)} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {where})"
    )


SQLITE_TRIGGER = (
    "CREATE TRIGGER ledger_balances_on_entry AFTER INSERT ON ledger_entries BEGIN "
    f"{_upsert('NEW.debit', '+', 'ledger_balances')}; "
    f"{_upsert('NEW.credit', '-', 'ledger_balances')}; END"
)
POSTGRES_TRIGGER = [
    "CREATE FUNCTION ledger_balances_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"{_upsert('NEW.debit', '+', 'ledger_balances')}; "
    f"{_upsert('NEW.credit', '-', 'ledger_balances')}; RETURN NEW; END; $$",
    "CREATE TRIGGER ledger_balances_on_entry AFTER INSERT ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION ledger_balances_apply()",
]

# The balances of the entries already stored, computed the way the trigger would.
BACKFILL = f"""
INSERT INTO ledger_balances (account, scope, balance_minor)
SELECT account, scope, SUM(delta) FROM (
    SELECT debit AS account,
           CASE WHEN debit IN {CONTRIBUTOR_ACCOUNTS} THEN COALESCE(contributor, '')
                WHEN debit = 'fund_balance' THEN '' ELSE COALESCE(tranche_id, '') END AS scope,
           CASE WHEN debit = 'pledged' THEN -amount_minor ELSE amount_minor END AS delta
    FROM ledger_entries
    UNION ALL
    SELECT credit,
           CASE WHEN credit IN {CONTRIBUTOR_ACCOUNTS} THEN COALESCE(contributor, '')
                WHEN credit = 'fund_balance' THEN '' ELSE COALESCE(tranche_id, '') END,
           CASE WHEN credit = 'pledged' THEN amount_minor ELSE -amount_minor END
    FROM ledger_entries
) AS moves
GROUP BY account, scope
"""

CONTRIBUTION_MEMO = re.compile(r"^(?:contribution|receipt) (\d{4})$")
CONTRIBUTION_MOVES = {
    ("contributions_receivable", "pledged"),
    ("fund_balance", "contributions_receivable"),
}


def _backfill_years(bind: sa.Connection) -> None:
    """Give the pledges and receipts already stored their year (from their memo).

    A member's year recorded twice by the old code keeps both entries, numbered as
    corrections 0 and 1, so the upgrade never rewrites history; the service then sees
    two live records and refuses a third until one is reversed.
    """
    rows = bind.execute(
        sa.text("SELECT id, contributor, debit, credit, memo FROM ledger_entries ORDER BY id")
    ).all()
    seen: Counter[tuple[str, int, str, str]] = Counter()
    updates = []
    for row in rows:
        found = CONTRIBUTION_MEMO.match(row.memo or "")
        if not found or (row.debit, row.credit) not in CONTRIBUTION_MOVES or not row.contributor:
            continue
        key = (row.contributor, int(found.group(1)), row.debit, row.credit)
        updates.append({"id": row.id, "year": key[1], "correction": seen[key]})
        seen[key] += 1
    if updates:
        bind.execute(
            sa.text(
                "UPDATE ledger_entries SET year = :year, correction = :correction WHERE id = :id"
            ),
            updates,
        )


def _refuse_doubled(bind: sa.Connection) -> None:
    """Stop with a clear message when stored entries already break the new rules."""
    doubled = bind.execute(
        sa.text(
            f"SELECT tranche_id, debit, COUNT(*) AS n FROM ledger_entries WHERE {ONCE_PER_TRANCHE} "
            "GROUP BY tranche_id, debit, credit HAVING COUNT(*) > 1"
        )
    ).all()
    negative = bind.execute(
        sa.text("SELECT account, scope, balance_minor FROM ledger_balances WHERE balance_minor < 0")
    ).all()
    problems = [f"tranche {r.tranche_id} has {r.n} entries into {r.debit}" for r in doubled]
    problems += [f"{r.account} of '{r.scope}' is {r.balance_minor} (minor units)" for r in negative]
    if problems:
        raise RuntimeError(
            "the ledger already holds money moved twice; correct it (restore a backup from "
            "before the double movement) before upgrading: " + "; ".join(problems)
        )


def _positive_amounts(dialect: str) -> None:
    """Amounts above zero: a CHECK on PostgreSQL; a trigger on SQLite, which can add a
    CHECK only by rebuilding the table (and with it dropping the table's triggers)."""
    for table in ("ledger_entries", "tranches"):
        if dialect == "postgresql":
            op.create_check_constraint(
                op.f(f"ck_{table}_amount_positive"), table, "amount_minor > 0"
            )
        elif dialect == "sqlite":
            for verb in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER {table}_amount_positive_{verb.lower()} BEFORE {verb} "
                    f"ON {table} WHEN NEW.amount_minor <= 0 BEGIN "
                    f"SELECT RAISE(ABORT, '{table}: amount_minor must be above zero'); END"
                )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.add_column("ledger_entries", sa.Column("year", sa.Integer(), nullable=True))
    op.add_column(
        "ledger_entries",
        sa.Column("correction", sa.Integer(), server_default="0", nullable=False),
    )
    _positive_amounts(dialect)
    _backfill_years(bind)
    op.create_table(
        "ledger_balances",
        sa.Column("account", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "scope", name=op.f("pk_ledger_balances")),
    )
    op.execute(BACKFILL)
    _refuse_doubled(bind)
    # Added once the backfill is known sound, so a doubled store gets the message above.
    with op.batch_alter_table("ledger_balances") as batch:
        batch.create_check_constraint(op.f("ck_ledger_balances_not_negative"), "balance_minor >= 0")
    op.create_index(
        "uq_ledger_entries_tranche_step",
        "ledger_entries",
        ["tranche_id", "debit", "credit"],
        unique=True,
        sqlite_where=sa.text(ONCE_PER_TRANCHE),
        postgresql_where=sa.text(ONCE_PER_TRANCHE),
    )
    op.create_index(
        "uq_ledger_entries_contribution",
        "ledger_entries",
        ["contributor", "year", "debit", "credit", "correction"],
        unique=True,
        sqlite_where=sa.text("year IS NOT NULL"),
        postgresql_where=sa.text("year IS NOT NULL"),
    )
    if dialect == "sqlite":
        op.execute(SQLITE_TRIGGER)
    elif dialect == "postgresql":
        for statement in POSTGRES_TRIGGER:
            op.execute(statement)
    op.create_table(
        "money_lock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_lock")),
    )
    op.execute("INSERT INTO money_lock (id) VALUES (1)")
    op.create_table(
        "idempotency_keys",
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor", "key", name=op.f("pk_idempotency_keys")),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_table("money_lock")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ledger_balances_on_entry")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_balances_on_entry ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_balances_apply()")
    op.drop_index("uq_ledger_entries_contribution", table_name="ledger_entries")
    op.drop_index("uq_ledger_entries_tranche_step", table_name="ledger_entries")
    op.drop_table("ledger_balances")
    for table in ("ledger_entries", "tranches"):
        if op.get_bind().dialect.name == "postgresql":
            op.drop_constraint(op.f(f"ck_{table}_amount_positive"), table, type_="check")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_amount_positive_insert")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_amount_positive_update")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("correction")
        batch.drop_column("year")
