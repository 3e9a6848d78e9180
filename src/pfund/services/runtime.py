"""The running store a use case needs: engine, sessions and the acting user.

Built from Settings by the interfaces (CLI, API) and passed into every use case, so
tests hand in their own database and actor. A use case that changes something, or
shows protected values, checks the acting principal's permission itself
(``rt.require``), so no interface can forget to: the API and the pages check too, to
answer early, but the service is the last word. A runtime without a principal is the
operator's console (the CLI): whoever holds the database's credentials can already do
everything, so it acts with every permission and the audit log names its actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.domain.account import Permission, Principal
from pfund.errors import Forbidden, NotAuthenticated
from pfund.keys import Keys, default_keys, ensure_keys
from pfund.settings import Settings
from pfund.store.engine import make_engine, make_session_factory
from pfund.store.migrate import upgrade
from pfund.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Idempotency:
    """An API money write's ``Idempotency-Key`` and what it was sent with.

    ``fingerprint`` digests the method, path and body: the same key with another
    request is refused rather than answered with the first request's answer.
    """

    key: str
    method: str
    path: str
    fingerprint: str


@dataclass
class Runtime:
    """An open store and who acts on it."""

    engine: Engine
    sessions: sessionmaker[Session]
    actor: str
    dataset: Path | None = None
    principal: Principal | None = None
    dask_scheduler: str | None = None  # where parallel compute runs (None: this process)
    keys: Keys = field(default_factory=default_keys)
    idempotency: Idempotency | None = None  # set by the API for one money write

    def uow(self, *, write: bool = False) -> UnitOfWork:
        """A unit of work; ``write=True`` holds the money lock before its first read."""
        return UnitOfWork(self.sessions, self.keys, write=write)

    def require(self, permission: Permission) -> None:
        """Refuse, before anything is read or written, unless the principal may do this."""
        who = self.principal
        if who is None or who.can(permission):
            return
        what = permission.value.replace("_", " ")
        if who.user is None:
            raise NotAuthenticated(f"sign in to {what}")
        raise Forbidden(f"your role does not allow: {what}")

    def close(self) -> None:
        self.engine.dispose()


def open_runtime(settings: Settings, *, migrate: bool = True, seal_clear: bool = True) -> Runtime:
    """Open the configured database, bringing its schema up to date first, and sealing
    protected values an older pfund left in clear (``seal_clear``; only when migrating)."""
    engine = make_engine(settings.database_url, echo=settings.echo_sql)
    keys = load_keys(settings)
    if migrate:
        upgrade(engine)
    rt = Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        actor=settings.actor,
        dataset=settings.dataset,
        dask_scheduler=settings.dask_scheduler,
        keys=keys,
    )
    if migrate and seal_clear:
        # A store written before protected fields were sealed (migration 0012) still
        # holds them in clear: seal them now, once and audited, so none is forgotten.
        from pfund.services.data_keys import encrypt_clear

        encrypt_clear(rt)
    return rt


def load_keys(settings: Settings) -> Keys:
    """The keys file of the settings (created when missing), with its secret overridden
    by ``PFUND_SECRET_KEY`` when that is set."""
    keys, _ = ensure_keys(settings.keys_file)
    if settings.secret_key is not None:
        keys = replace(keys, secret_key=settings.secret_key.get_secret_value())
    return keys
