"""Uncertain numbers as low / likely / high, the form appraisal's Monte Carlo draws from.

Users write them as ``[low, likely, high]``, ``{low: .., likely: .., high: ..}`` or a
single number when the value is known.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, model_validator

from pfund.domain.protection import PUBLIC

N = TypeVar("N", Decimal, float)


class Estimate(BaseModel, Generic[N]):
    """A three-point estimate; low <= likely <= high, none negative."""

    model_config = ConfigDict(frozen=True)

    low: Annotated[N, PUBLIC]
    likely: Annotated[N, PUBLIC]
    high: Annotated[N, PUBLIC]

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) != 3:
                n = len(data)
                raise ValueError(f"give [low, likely, high], got {n} number{'s' * (n != 1)}")
            return {"low": data[0], "likely": data[1], "high": data[2]}
        if isinstance(data, int | float | str | Decimal) and not isinstance(data, bool):
            return {"low": data, "likely": data, "high": data}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Estimate[N]:
        if min(self.low, self.likely, self.high) < 0:
            raise ValueError("must not be negative")
        if not self.low <= self.likely <= self.high:
            raise ValueError(
                f"needs low <= likely <= high, got {self.low}, {self.likely}, {self.high}"
            )
        return self

    def as_list(self) -> list[N]:
        return [self.low, self.likely, self.high]


MoneyEstimate = Estimate[Decimal]
QuantityEstimate = Estimate[float]
