"""SQLAlchemy row classes, one module per subject; ``metadata`` holds every table."""

from pfund.store.tables.accounts import (
    ApiTokenRow,
    RateLimitRow,
    ReviewRow,
    UserRow,
    UserSessionRow,
)
from pfund.store.tables.agreements import AgreementRow, AgreementVersionRow
from pfund.store.tables.audit import AuditEventRow, AuditHeadRow
from pfund.store.tables.base import NAMING_CONVENTION, Base, metadata
from pfund.store.tables.companies import CompanyListRow, CompanyReturnRow
from pfund.store.tables.conditions import (
    ConditionChangeRow,
    ConditionRow,
    StageConditionRow,
    StageRow,
)
from pfund.store.tables.decisions import DecisionRecordRow
from pfund.store.tables.donors import DonorAgreementRow, DonorReceiptReversalRow, DonorReceiptRow
from pfund.store.tables.fx import ExchangeRateRow
from pfund.store.tables.governance import (
    CommitteeConflictRow,
    CommitteeItemRow,
    CommitteeRow,
    CommitteeSeatRow,
    CommitteeVoteRow,
)
from pfund.store.tables.grievances import GrievanceEventRow, GrievanceFileRow, GrievanceRow
from pfund.store.tables.instruments import GuaranteeRow, LoanRow
from pfund.store.tables.jobs import AuditVerificationRow, JobFileRow, JobRow
from pfund.store.tables.ledger import (
    IdempotencyKeyRow,
    LedgerBalanceRow,
    LedgerEntryRow,
    MoneyLockRow,
    TrancheConditionRow,
    TrancheRow,
)
from pfund.store.tables.licences import LicenceRow, LicenceUseRow
from pfund.store.tables.outturns import OutturnRow
from pfund.store.tables.parties import OrganisationRow, PersonRow, VettingItemRow
from pfund.store.tables.projects import (
    ProjectBenefitRow,
    ProjectContactRow,
    ProjectCostRow,
    ProjectLinkRow,
    ProjectOutcomeRow,
    ProjectPartnerRow,
    ProjectRegionRow,
    ProjectRow,
    ProjectScoreRow,
)
from pfund.store.tables.proposals import (
    ProjectPublicationRow,
    ProposalMessageRow,
    ProposalRow,
)
from pfund.store.tables.reference import AreaRow, ContributorRow, FundRow, RegionRow
from pfund.store.tables.results import (
    EvidenceFileRow,
    FindingRow,
    RemainderDecisionRow,
    ReportEvidenceRow,
    ResultIndicatorRow,
    ResultReportRow,
    ResultTargetRow,
    ResultUnitRow,
    ResultValueRow,
    TrancheResultLinkRow,
    VerificationRow,
)
from pfund.store.tables.scorecard import (
    ConditionProposalRow,
    IndicatorSetRow,
    IndicatorValueRow,
)
from pfund.store.tables.screening import (
    HitDecisionRow,
    OutreachRow,
    ScreeningHitRow,
    WatchlistEntityRow,
    WatchlistRow,
)

__all__ = [
    "NAMING_CONVENTION",
    "AgreementRow",
    "AgreementVersionRow",
    "ApiTokenRow",
    "AreaRow",
    "AuditEventRow",
    "AuditHeadRow",
    "AuditVerificationRow",
    "Base",
    "CommitteeConflictRow",
    "CommitteeItemRow",
    "CommitteeRow",
    "CommitteeSeatRow",
    "CommitteeVoteRow",
    "CompanyListRow",
    "CompanyReturnRow",
    "ConditionChangeRow",
    "ConditionProposalRow",
    "ConditionRow",
    "ContributorRow",
    "DecisionRecordRow",
    "DonorAgreementRow",
    "DonorReceiptReversalRow",
    "DonorReceiptRow",
    "EvidenceFileRow",
    "ExchangeRateRow",
    "FindingRow",
    "FundRow",
    "GrievanceEventRow",
    "GrievanceFileRow",
    "GrievanceRow",
    "GuaranteeRow",
    "HitDecisionRow",
    "IdempotencyKeyRow",
    "IndicatorSetRow",
    "IndicatorValueRow",
    "JobFileRow",
    "JobRow",
    "LedgerBalanceRow",
    "LedgerEntryRow",
    "LicenceRow",
    "LicenceUseRow",
    "LoanRow",
    "MoneyLockRow",
    "OrganisationRow",
    "OutreachRow",
    "OutturnRow",
    "PersonRow",
    "ProjectBenefitRow",
    "ProjectContactRow",
    "ProjectCostRow",
    "ProjectLinkRow",
    "ProjectOutcomeRow",
    "ProjectPartnerRow",
    "ProjectPublicationRow",
    "ProjectRegionRow",
    "ProjectRow",
    "ProjectScoreRow",
    "ProposalMessageRow",
    "ProposalRow",
    "RateLimitRow",
    "RegionRow",
    "RemainderDecisionRow",
    "ReportEvidenceRow",
    "ResultIndicatorRow",
    "ResultReportRow",
    "ResultTargetRow",
    "ResultUnitRow",
    "ResultValueRow",
    "ReviewRow",
    "ScreeningHitRow",
    "StageConditionRow",
    "StageRow",
    "TrancheConditionRow",
    "TrancheResultLinkRow",
    "TrancheRow",
    "UserRow",
    "UserSessionRow",
    "VerificationRow",
    "VettingItemRow",
    "WatchlistEntityRow",
    "WatchlistRow",
    "metadata",
]
