"""The vocabulary of pfund as pydantic models; imports nothing else of pfund."""

from pfund.domain.audit import AuditEvent, ChainBreak, event_hash, verify_chain
from pfund.domain.conditions import Condition, Stage, VerificationProtocol
from pfund.domain.enums import (
    ConditionStatus,
    IatiConditionType,
    LedgerAccount,
    OrganisationKind,
    ProjectStatus,
    ReengagementStatus,
    RiskRating,
    RussiaStatus,
    TrancheStatus,
    VettingCriterion,
)
from pfund.domain.estimate import Estimate
from pfund.domain.fund import FundDefinition
from pfund.domain.ledger import LedgerEntry, Tranche
from pfund.domain.money import Money
from pfund.domain.organisation import (
    CompanyProfile,
    Organisation,
    Person,
    VettingChecklist,
    VettingItem,
)
from pfund.domain.project import BenefitStream, Outcome, Project, YearCost
from pfund.domain.protection import ProtectionClass
from pfund.domain.reference import Area, Contributor, Region

__all__ = [
    "Area",
    "AuditEvent",
    "BenefitStream",
    "ChainBreak",
    "CompanyProfile",
    "Condition",
    "ConditionStatus",
    "Contributor",
    "Estimate",
    "FundDefinition",
    "IatiConditionType",
    "LedgerAccount",
    "LedgerEntry",
    "Money",
    "Organisation",
    "OrganisationKind",
    "Outcome",
    "Person",
    "Project",
    "ProjectStatus",
    "ProtectionClass",
    "ReengagementStatus",
    "Region",
    "RiskRating",
    "RussiaStatus",
    "Stage",
    "Tranche",
    "TrancheStatus",
    "VerificationProtocol",
    "VettingChecklist",
    "VettingCriterion",
    "VettingItem",
    "YearCost",
    "event_hash",
    "verify_chain",
]
