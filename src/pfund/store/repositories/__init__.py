"""Repositories: map rows to domain objects and back; each takes a Session, none commits."""

from pfund.store.repositories.accounts import (
    RateLimitRepository,
    ReviewRepository,
    UserRepository,
)
from pfund.store.repositories.audit import AuditRepository
from pfund.store.repositories.conditions import ConditionRepository, StageRepository
from pfund.store.repositories.counts import table_counts
from pfund.store.repositories.decisions import DecisionRepository
from pfund.store.repositories.governance import CommitteeRepository
from pfund.store.repositories.idempotency import IdempotencyRepository
from pfund.store.repositories.jobs import (
    JobFileRepository,
    JobRepository,
    VerificationRepository,
)
from pfund.store.repositories.ledger import LedgerRepository, TrancheRepository
from pfund.store.repositories.parties import OrganisationRepository, PersonRepository
from pfund.store.repositories.projects import ProjectRepository
from pfund.store.repositories.proposals import ProposalRepository
from pfund.store.repositories.reference import FundRepository, ReferenceRepository
from pfund.store.repositories.screening import (
    HitRepository,
    OutreachRepository,
    WatchlistRepository,
)

__all__ = [
    "AuditRepository",
    "CommitteeRepository",
    "ConditionRepository",
    "DecisionRepository",
    "FundRepository",
    "HitRepository",
    "IdempotencyRepository",
    "JobFileRepository",
    "JobRepository",
    "LedgerRepository",
    "OrganisationRepository",
    "OutreachRepository",
    "PersonRepository",
    "ProjectRepository",
    "ProposalRepository",
    "RateLimitRepository",
    "ReferenceRepository",
    "ReviewRepository",
    "StageRepository",
    "TrancheRepository",
    "UserRepository",
    "VerificationRepository",
    "WatchlistRepository",
    "table_counts",
]
