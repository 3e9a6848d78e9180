"""Funding engine: what members contribute and the double-entry ledger of the money.

Pure computation: contributors and a rule in, a schedule out; ledger entries in, a
ledger, balances and invariant checks out. No clock, no store, no network.
"""

from __future__ import annotations

from pfund.funding.balances import (
    ContributorPosition,
    account_balances,
    check_invariants,
    contributor_positions,
    project_balances,
    tranche_balances,
)
from pfund.funding.contributions import CENT, ContributionSchedule, cap_amounts, schedule
from pfund.funding.entries import (
    commit,
    disburse,
    exchange_gain,
    exchange_loss,
    freeze,
    pledge,
    receipt,
    release,
    return_funds,
    reverse_pledge,
    reverse_receipt,
    unfreeze,
    with_fx,
)
from pfund.funding.ledger import Ledger, refusals
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
    "exchange_gain",
    "exchange_loss",
    "freeze",
    "pledge",
    "project_balances",
    "receipt",
    "refusals",
    "release",
    "return_funds",
    "reverse_pledge",
    "reverse_receipt",
    "schedule",
    "tranche_balances",
    "unfreeze",
    "with_fx",
]
