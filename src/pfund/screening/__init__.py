"""Screening: compare a name against a watchlist name and explain the score.

Pure engine: no store or web imports. ``score`` gives a calibrated value in [0, 1];
``explain`` adds every feature's value, weight and user-facing explanation.
"""

from pfund.screening import engine

# Before any other module of the package is imported: the compiled modules, if usable,
# are found first on the package's path.
ENGINE = engine.choose(__path__)

from pfund.screening.names import Form, Token, forms  # noqa: E402
from pfund.screening.score import (  # noqa: E402
    FEATURES,
    THRESHOLD,
    Explanation,
    FeatureValue,
    explain,
    is_match,
    score,
)

__all__ = [
    "ENGINE",
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
