"""What a verifier and an analyst send to verify a report and pay a tranche by results.

Each model bounds every field to the column that stores it (``result_units``,
``result_verifications``, ``result_findings``, ``tranche_result_links``), so a value too
long, a confidence outside (0, 1) or a negative count is refused at validation with the
field named, before anything is written: PostgreSQL would refuse it later with the row
in its message, and SQLite would keep it, so that a backup no longer restores.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from pfund.domain.lengths import MAX_DIGITS, Id
from pfund.domain.results import CODE_PATTERN, Period


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# A unit a report lists: a site, beneficiary or contract id (the CODE column).
UnitId = Annotated[str, BeforeValidator(_strip), Field(min_length=1, max_length=64)]
# A stratum: a region code (RU-TVE) or a short label of the partner's own (REGION column).
StratumCode = Annotated[str, BeforeValidator(_strip), Field(max_length=16)]
IndicatorCode = Annotated[str, BeforeValidator(_strip), Field(pattern=CODE_PATTERN)]
# A count as exact text: finite, at least 0, short enough for the DECIMAL column (40).
Count = Annotated[Decimal, Field(ge=0, max_digits=MAX_DIGITS, allow_inf_nan=False)]
# A probability asked of a sample: strictly between 0 and 1, a few digits at most.
Fraction = Annotated[Decimal, Field(gt=0, lt=1, max_digits=12, allow_inf_nan=False)]
MAX_SEED = 2**63 - 1  # the seed is a PCG64 seed kept in JSON; any int64 redraws anywhere


class VerificationStatus(StrEnum):
    DRAWN = "drawn"
    VERIFIED = "verified"


class ReportedUnit(BaseModel):
    """One unit behind an indicator's reported value: the population a sample is drawn
    from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report: Annotated[Id, BeforeValidator(_strip), Field(min_length=1)]
    indicator: IndicatorCode
    unit: UnitId
    stratum: StratumCode = ""
    reported: Count


class SampleRequest(BaseModel):
    """A verifier's request for a sample of one indicator's units of one report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report: Annotated[Id, Field(min_length=1)]
    indicator: IndicatorCode
    confidence: Fraction = Decimal("0.95")
    precision: Fraction = Decimal("0.05")
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


class Finding(BaseModel):
    """What a verifier recounted for one sampled unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verification: Annotated[Id, Field(min_length=1)]
    unit: UnitId
    recounted: Count


class TrancheLinkRequest(BaseModel):
    """A tranche to be earned on an indicator's verified value for a period; the formula
    is checked by :class:`pfund.results.payment_rules.PaymentFormula`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tranche: Annotated[Id, Field(min_length=1)]
    indicator: IndicatorCode
    period: Period
