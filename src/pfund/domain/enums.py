"""Every status and kind in the vocabulary as an enum: values are what users type."""

from __future__ import annotations

from enum import StrEnum


class ProjectStatus(StrEnum):
    """Where a project is; ``submitted`` is a public proposal staff have not yet taken in.

    Submitted proposals are neither published nor appraised: anyone can send one, so a
    person reads it first (and decides what of it may be shown). Staff may return one
    for changes (``returned``: the proposer answers and it is ``submitted`` again) or
    reject it with a reason; the proposer may withdraw it. Being in the pipeline does
    not make a project public: publication is a step of its own (see
    ``pfund.services.proposals.publish``).
    """

    SUBMITTED = "submitted"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    PROPOSED = "proposed"
    SCREENED = "screened"
    APPRAISED = "appraised"
    APPROVED = "approved"
    FUNDED = "funded"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RiskRating(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


class OrganisationKind(StrEnum):
    NGO = "ngo"
    UNIVERSITY = "university"
    COMPANY = "company"
    PUBLIC_BODY = "public_body"
    DEMOCRATIC_FORCES = "democratic_forces"


class RussiaStatus(StrEnum):
    """A company's stance in the beneficiary country, in the Yale CELI grades A to E."""

    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    SCALING_BACK = "scaling_back"
    BUYING_TIME = "buying_time"
    DIGGING_IN = "digging_in"


class ReengagementStatus(StrEnum):
    NOT_CONTACTED = "not_contacted"
    INTERESTED = "interested"
    IN_TALKS = "in_talks"
    COMMITTED = "committed"
    DECLINED = "declined"


class VettingCriterion(StrEnum):
    """The PACE platform's criteria for Russian democratic forces (resolution of 1 Oct 2025)."""

    COUNCIL_OF_EUROPE_VALUES = "council_of_europe_values"
    RECOGNISES_UKRAINE_BORDERS = "recognises_ukraine_borders"
    OPPOSED_REGIME_AND_AGGRESSION = "opposed_regime_and_aggression"
    REJECTS_NEO_IMPERIALISM = "rejects_neo_imperialism"
    WORKS_FOR_DEMOCRATIC_CHANGE = "works_for_democratic_change"


class ConditionStatus(StrEnum):
    NOT_MET = "not_met"
    PARTLY_MET = "partly_met"
    MET = "met"
    REVERSED = "reversed"


class IatiConditionType(StrEnum):
    """IATI ConditionType codelist: 1 policy, 2 performance, 3 fiduciary."""

    POLICY = "1"
    PERFORMANCE = "2"
    FIDUCIARY = "3"


class TrancheStatus(StrEnum):
    PLANNED = "planned"
    RELEASED = "released"
    FROZEN = "frozen"
    DISBURSED = "disbursed"
    CANCELLED = "cancelled"


class LedgerAccount(StrEnum):
    """Accounts of the double-entry ledger; every entry moves money between two.

    ``pledged`` and ``exchange_gain`` are the source accounts (the fund's net assets:
    what members pledged, and what paying in a cheaper currency saved): a pledge moves
    money out of ``pledged`` into ``contributions_receivable``; every other account is a
    bucket money sits in (see ``pfund.funding.ledger``).
    """

    PLEDGED = "pledged"
    CONTRIBUTIONS_RECEIVABLE = "contributions_receivable"
    FUND_BALANCE = "fund_balance"
    COMMITTED = "committed"
    RELEASED = "released"
    FROZEN = "frozen"
    DISBURSED = "disbursed"
    RETURNED = "returned"
    # What paying a tranche in its own currency cost more (loss) or less (gain) in the
    # fund's currency than the rate it was committed at; kept once for the fund.
    EXCHANGE_LOSS = "exchange_loss"
    EXCHANGE_GAIN = "exchange_gain"
    # Loans and guarantees (pfund.funding.instruments), kept per project: a loan's
    # principal and interest coming back are two more source accounts (credit-normal, as
    # ``pledged``); what guarantee calls paid out of the fund balance is a bucket.
    PRINCIPAL_REPAID = "principal_repaid"
    INTEREST_RECEIVED = "interest_received"
    GUARANTEE_CALLS = "guarantee_calls"
