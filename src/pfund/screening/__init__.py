"""Screening: compare a name against a watchlist name and explain the score.

Pure engine: no store or web imports. ``score`` gives a calibrated value in [0, 1];
``explain`` adds every feature's value, weight and user-facing explanation.
"""

from pfund.screening.names import Form, Token, forms
from pfund.screening.score import (
    FEATURES,
    THRESHOLD,
    Explanation,
    FeatureValue,
    explain,
    is_match,
    score,
)

__all__ = [
    "FEATURES",
    "THRESHOLD",
    "Explanation",
    "FeatureValue",
    "Form",
    "Token",
    "explain",
    "forms",
    "is_match",
    "score",
]
