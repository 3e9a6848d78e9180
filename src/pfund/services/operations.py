"""What an operator asks of a running installation: is it ready, and what needs a look.

Readiness has three parts, each a :class:`Check` with a plain reason when it fails:
the database answers, its schema is at the revision this pfund ships (a worker of a
newer pfund on an older schema, or the reverse, would fail on its first query of a
changed table), and the keys file is there and is the one the service was started with
(a missing file would be re-created with new keys by the next process that starts,
which could then read no protected field and check no audit event).

The gauges an alert watches (open screening hits, held tranches) are counted here from
the database, at the moment they are asked for, so every worker answers the same.

Nothing here names a stored value or a connection string: a check's reason is read by
whoever can reach ``/readyz``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from pfund.domain.compliance import HitStatus
from pfund.errors import InvalidInput
from pfund.keys import Keys, read_keys
from pfund.services import gate
from pfund.services.runtime import Runtime
from pfund.services.tranche_actions import tranche_actions
from pfund.services.tranches import list_tranches
from pfund.store.migrate import current_revision, head_revision

DATABASE = "database"
MIGRATIONS = "migrations"
KEYS = "keys"
WORKERS = "workers"


@dataclass(frozen=True)
class Check:
    """One thing readiness depends on: ``ok``, and when not, why (safe to show)."""

    name: str
    ok: bool
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def database_check(engine: Engine) -> Check:
    """The database answers a query (the exception's type only: its text may name a
    host, a user or a password)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        cause = type(getattr(err, "orig", None) or err).__name__
        return Check(DATABASE, False, f"the database does not answer ({cause})")
    return Check(DATABASE, True)


def migrations_check(engine: Engine) -> Check:
    """The schema is at the newest revision this pfund ships."""
    head = head_revision()
    try:
        current = current_revision(engine)
    except SQLAlchemyError as err:
        return Check(MIGRATIONS, False, f"cannot read the schema revision ({type(err).__name__})")
    if current == head:
        return Check(MIGRATIONS, True)
    if current is None:
        return Check(MIGRATIONS, False, f"the database was never migrated (head is {head})")
    return Check(MIGRATIONS, False, f"the database is at revision {current}, not {head}")


def keys_check(path: Path, loaded: Keys | None = None) -> Check:
    """The keys file reads as valid keys; with ``loaded`` (a running service's), it also
    holds the same audit and data keys, so a replaced file is caught before a restart.
    The reason names no path: whoever reaches ``/readyz`` need not learn the server's
    layout (``pfund doctor`` names it to the operator)."""
    if not path.exists():
        return Check(KEYS, False, "the keys file is missing")
    try:
        found = read_keys(path)
    except InvalidInput:
        return Check(KEYS, False, "the keys file cannot be read as pfund keys")
    if loaded is not None and (
        found.audit_key != loaded.audit_key or found.data_keys != loaded.data_keys
    ):
        return Check(KEYS, False, "the keys file holds other keys than the service started with")
    return Check(KEYS, True)


def workers_check(state: Path) -> Check:
    """Every worker of ``pfund serve --workers N`` listens, as its supervisor last wrote
    in ``state`` (``{"listening": k, "workers": N}``): until then the service is still
    starting (or a worker is being replaced), and a load balancer should wait."""
    try:
        found = json.loads(state.read_text(encoding="utf-8"))
        listening, workers = int(found["listening"]), int(found["workers"])
    except (OSError, ValueError, KeyError, TypeError):
        return Check(WORKERS, False, "the workers are starting")
    if listening < workers:
        return Check(WORKERS, False, f"{listening} of {workers} workers listen")
    return Check(WORKERS, True)


def readiness(rt: Runtime, keys_file: Path, workers_state: Path | None = None) -> list[Check]:
    """Every check of a running service; the schema is read only when the database
    answers, the workers only under a supervisor that writes ``workers_state``."""
    checks = [database_check(rt.engine)]
    if checks[0].ok:
        checks.append(migrations_check(rt.engine))
    checks.append(keys_check(keys_file, rt.keys))
    if workers_state is not None:
        checks.append(workers_check(workers_state))
    return checks


def open_hits(rt: Runtime) -> int:
    """Screening hits nobody has decided yet (each one holds its partner's money)."""
    with rt.uow() as uow:
        return sum(uow.hits.count_by_watchlist([HitStatus.OPEN]).values())


def held_tranches(rt: Runtime) -> dict[str, int]:
    """Tranches whose next step (release, disburse, unfreeze) the gate holds today, by step."""
    steps = tranche_actions(rt, list_tranches(rt), gate.today())
    return dict(Counter(row.action for row in steps.rows if row.action and row.holds))
