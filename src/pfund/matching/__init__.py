"""Matchmaking: which organisations suit a project, and which projects suit a company.

Pure engine: no store, clock or network; the day a vetting approval must hold on is
passed in. Every score carries the factors, values and weights behind it.
"""

from pfund.matching.factors import FIT, REENGAGEMENT_STANDING, RUSSIA_STANDING, standing
from pfund.matching.rank import FactorScore, Match, match, rank_partners, rank_projects

__all__ = [
    "FIT",
    "REENGAGEMENT_STANDING",
    "RUSSIA_STANDING",
    "FactorScore",
    "Match",
    "match",
    "rank_partners",
    "rank_projects",
    "standing",
]
