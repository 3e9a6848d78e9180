"""The unit of work: one session, one transaction, every repository on it.

A use case opens one, does its reads and writes (audit event included) and commits once;
leaving without commit, or with an exception, rolls everything back.

A unit of work that changes money or conditions is opened with ``write=True`` (or
calls :meth:`UnitOfWork.lock_for_write` first): it holds the store's money lock before
its first read, so what it reads is still true when it writes.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, sessionmaker

from pfund.keys import Keys, default_keys
from pfund.store.crypto import FieldCipher
from pfund.store.engine import WRITE
from pfund.store.repositories import (
    AuditRepository,
    CommitteeRepository,
    ConditionRepository,
    DecisionRepository,
    FundRepository,
    HitRepository,
    IdempotencyRepository,
    JobFileRepository,
    JobRepository,
    LedgerRepository,
    OrganisationRepository,
    OutreachRepository,
    PersonRepository,
    ProjectRepository,
    ProposalRepository,
    RateLimitRepository,
    ReferenceRepository,
    ReviewRepository,
    StageRepository,
    TrancheRepository,
    UserRepository,
    VerificationRepository,
    WatchlistRepository,
)
from pfund.store.repositories._rows import table
from pfund.store.repositories.fx import RateRepository
from pfund.store.row_state import track_changes
from pfund.store.tables import MoneyLockRow

MONEY_LOCK_ID = 1


class UnitOfWork:
    """``with UnitOfWork(factory) as uow: ...; uow.commit()``; repositories live inside."""

    session: Session
    fund: FundRepository
    reference: ReferenceRepository
    projects: ProjectRepository
    organisations: OrganisationRepository
    people: PersonRepository
    conditions: ConditionRepository
    stages: StageRepository
    tranches: TrancheRepository
    ledger: LedgerRepository
    audit: AuditRepository
    decisions: DecisionRepository
    users: UserRepository
    limits: RateLimitRepository
    reviews: ReviewRepository
    watchlists: WatchlistRepository
    hits: HitRepository
    outreach: OutreachRepository
    idempotency: IdempotencyRepository
    proposals: ProposalRepository
    jobs: JobRepository
    job_files: JobFileRepository
    verifications: VerificationRepository
    committees: CommitteeRepository
    cipher: FieldCipher

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        keys: Keys | None = None,
        *,
        write: bool = False,
        require_audit: bool = True,
    ) -> None:
        """``write``: hold the money lock before the first read (see ``lock_for_write``).
        ``require_audit``: refuse a commit that changes rows the audit chain covers
        (money, tranches, conditions, screening, projects) without recording an audit
        event. Only the repositories' own tests turn it off; ``audit verify`` would name
        such rows anyway, as present without any event."""
        self._session_factory = session_factory
        self._keys = keys
        self._write = write
        self._require_audit = require_audit
        self.locked = False

    @property
    def keys(self) -> Keys:
        """The installation's keys (audit HMAC, data encryption) this unit of work uses.

        Given by the runtime; a bare unit of work (tests, tools) uses the default file's.
        """
        if self._keys is None:
            self._keys = default_keys()
        return self._keys

    def __enter__(self) -> Self:
        self.session = session = self._session_factory()
        # Protected fields are sealed with this unit of work's keys (read only when used).
        self.cipher = cipher = FieldCipher(lambda: self.keys)
        track_changes(session, require_audit=self._require_audit)
        self.fund = FundRepository(session)
        self.reference = ReferenceRepository(session)
        self.projects = ProjectRepository(session, cipher)
        self.organisations = OrganisationRepository(session, cipher)
        self.people = PersonRepository(session, cipher)
        self.conditions = ConditionRepository(session)
        self.stages = StageRepository(session)
        self.tranches = TrancheRepository(session)
        self.ledger = LedgerRepository(session)
        self.rates = RateRepository(session)
        self.audit = AuditRepository(session)
        self.decisions = DecisionRepository(session)
        self.users = UserRepository(session)
        self.limits = RateLimitRepository(session)
        self.reviews = ReviewRepository(session)
        self.watchlists = WatchlistRepository(session)
        self.hits = HitRepository(session, cipher)
        self.outreach = OutreachRepository(session, cipher)
        self.idempotency = IdempotencyRepository(session)
        self.proposals = ProposalRepository(session)
        self.jobs = JobRepository(session)
        self.job_files = JobFileRepository(session)
        self.verifications = VerificationRepository(session)
        self.committees = CommitteeRepository(session, cipher)
        self.locked = False
        if self._write:
            try:
                self.lock_for_write()
            except BaseException:
                session.close()
                raise
        return self

    def lock_for_write(self) -> None:
        """Take the money lock, before anything is read; held until commit or rollback.

        SQLite: the transaction begins ``BEGIN IMMEDIATE`` (see ``pfund.store.engine``),
        so this writer holds the database's write lock and any other waits for it.
        PostgreSQL: ``SELECT ... FOR UPDATE`` on the one ``money_lock`` row; every later
        statement of the transaction (READ COMMITTED) sees whatever the writer before
        committed. A fund-wide lock, deliberately: money writes are few and short, and it
        serialises a condition's reversal with the releases its gate would allow.
        """
        if self.locked:
            return
        session = self.session
        if session.in_transaction():
            raise RuntimeError("lock_for_write must come before the unit of work reads")
        connection = session.connection(execution_options={WRITE: True})
        if connection.dialect.name == "postgresql":
            locks = table(MoneyLockRow)
            query = select(locks.c.id).where(locks.c.id == MONEY_LOCK_ID).with_for_update()
            if session.execute(query).first() is None:  # a store built without migrations
                session.execute(pg_insert(locks).values(id=MONEY_LOCK_ID).on_conflict_do_nothing())
                session.execute(query)
        self.locked = True

    def hold_writes(self) -> None:
        """Begin the transaction as a writer, before anything is read, without the money
        lock: SQLite ``BEGIN IMMEDIATE`` (one writer at a time, so a read-then-update is
        not interleaved by another writer); on PostgreSQL row locks do that work instead.
        For short writes outside money, such as claiming a job."""
        if self.session.in_transaction():
            raise RuntimeError("hold_writes must come before the unit of work reads")
        self.session.connection(execution_options={WRITE: True})

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed, then give the connection back."""
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def flush(self) -> None:
        """Send pending writes now, so a constraint fails here rather than at commit."""
        self.session.flush()
