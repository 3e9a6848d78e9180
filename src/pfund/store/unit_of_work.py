"""The unit of work: one session, one transaction, every repository on it.

A use case opens one, does its reads and writes (audit event included) and commits once;
leaving without commit, or with an exception, rolls everything back.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from pfund.keys import Keys, default_keys
from pfund.store.repositories import (
    AuditRepository,
    ConditionRepository,
    DecisionRepository,
    FundRepository,
    HitRepository,
    LedgerRepository,
    OrganisationRepository,
    OutreachRepository,
    PersonRepository,
    ProjectRepository,
    ReferenceRepository,
    ReviewRepository,
    StageRepository,
    TrancheRepository,
    UserRepository,
    WatchlistRepository,
)
from pfund.store.row_state import track_changes


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
    reviews: ReviewRepository
    watchlists: WatchlistRepository
    hits: HitRepository
    outreach: OutreachRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        keys: Keys | None = None,
        *,
        require_audit: bool = True,
    ) -> None:
        """``require_audit``: refuse a commit that changes rows the audit chain covers
        (money, tranches, conditions, screening, projects) without recording an audit
        event. Only the repositories' own tests turn it off; ``audit verify`` would name
        such rows anyway, as present without any event."""
        self._session_factory = session_factory
        self._keys = keys
        self._require_audit = require_audit

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
        track_changes(session, require_audit=self._require_audit)
        self.fund = FundRepository(session)
        self.reference = ReferenceRepository(session)
        self.projects = ProjectRepository(session)
        self.organisations = OrganisationRepository(session)
        self.people = PersonRepository(session)
        self.conditions = ConditionRepository(session)
        self.stages = StageRepository(session)
        self.tranches = TrancheRepository(session)
        self.ledger = LedgerRepository(session)
        self.audit = AuditRepository(session)
        self.decisions = DecisionRepository(session)
        self.users = UserRepository(session)
        self.reviews = ReviewRepository(session)
        self.watchlists = WatchlistRepository(session)
        self.hits = HitRepository(session)
        self.outreach = OutreachRepository(session)
        return self

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
