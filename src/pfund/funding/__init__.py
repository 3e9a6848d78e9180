"""Funding engine: what members contribute and the double-entry ledger of the money.

Pure computation: contributors and a rule in, a schedule out; ledger entries in, a
ledger, balances and invariant checks out. No clock, no store, no network.
"""

from __future__ import annotations

from pfund.funding.contributions import CENT, ContributionSchedule, cap_amounts, schedule
from pfund.funding.ledger import (
    ContributorPosition,
    Ledger,
    account_balances,
    check_invariants,
    commit,
    contributor_positions,
    disburse,
    freeze,
    pledge,
    project_balances,
    receipt,
    refusals,
    release,
    return_funds,
    tranche_balances,
    unfreeze,
)
from pfund.funding.rules import DEFAULT_SHARE, MAX_SHARE, FundingKind, FundingRule

__all__ = [
    "CENT",
    "DEFAULT_SHARE",
    "MAX_SHARE",
    "ContributionSchedule",
    "ContributorPosition",
    "FundingKind",
    "FundingRule",
    "Ledger",
    "account_balances",
    "cap_amounts",
    "check_invariants",
    "commit",
    "contributor_positions",
    "disburse",
    "freeze",
    "pledge",
    "project_balances",
    "receipt",
    "refusals",
    "release",
    "return_funds",
    "schedule",
    "tranche_balances",
    "unfreeze",
]
