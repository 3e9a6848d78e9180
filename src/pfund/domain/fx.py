"""Exchange rates: dated reference rates, cross rates, and the one rounding rule.

A stored rate says how many units of ``quote`` one unit of ``base`` buys on ``day``
(the ECB publishes ``EUR 1 = USD 1.0856``: base EUR, quote USD). A rate between two
other currencies is derived through the euro: ``USD -> RUB = (EUR->RUB) / (EUR->USD)``.

The rounding rule, stated once (``ROUNDING_RULE``): a derived cross rate is rounded half
to even to 10 decimal places; a converted amount is the exact product of the amount and
the rate, rounded half to even to the minor unit of the currency it is converted into
(cents for USD, whole yen for JPY), the rule ``pfund.domain.money.to_minor`` uses for
every stored amount.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.money import CurrencyCode, from_minor, to_minor
from pfund.domain.protection import PUBLIC

__all__ = [
    "ECB_BASE",
    "RATE_DIGITS",
    "RATE_PLACES",
    "ROUNDING_RULE",
    "ExchangeRate",
    "RateUsed",
    "convert",
    "cross_rate",
    "identity",
]

ECB_BASE = "EUR"
RATE_PLACES = 10
# digits a stored rate may have (a cross rate: 10 places and up to 14 before the point)
RATE_DIGITS = 24
ROUNDING_RULE = (
    "cross rates are rounded half to even to 10 decimal places; a converted amount is "
    "amount x rate rounded half to even to the minor unit of the currency it is converted into"
)


class ExchangeRate(BaseModel):
    """One published rate: 1 ``base`` = ``rate`` ``quote`` on ``day``, from ``source``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: Annotated[CurrencyCode, PUBLIC]
    quote: Annotated[CurrencyCode, PUBLIC]
    day: Annotated[date, PUBLIC]
    rate: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=RATE_DIGITS)
    source: Annotated[str, PUBLIC] = Field(min_length=1, max_length=300)
    # the source in Russian (empty: the publisher gave none and nobody wrote one)
    source_ru: Annotated[str, PUBLIC] = Field(default="", max_length=300)
    # sha256 of the file the rate was imported from, so a figure can be traced to its file
    file_sha256: Annotated[str, PUBLIC] = Field(default="", max_length=64)


class RateUsed(BaseModel):
    """The rate a conversion used, with what it rests on, as recorded with an entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base: Annotated[CurrencyCode, PUBLIC]
    quote: Annotated[CurrencyCode, PUBLIC]
    rate: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=RATE_DIGITS)
    # the date of the published rate(s) used, and the date the conversion was for
    day: Annotated[date, PUBLIC]
    asked: Annotated[date, PUBLIC]
    source: Annotated[str, PUBLIC] = ""
    source_ru: Annotated[str, PUBLIC] = ""

    @property
    def identity(self) -> bool:
        return self.base == self.quote

    def stated(self) -> str:
        """The conversion in words, as a report states it."""
        if self.identity:
            return f"{self.base} needs no conversion"
        when = f"rate of {self.day.isoformat()}"
        if self.day != self.asked:
            when += f", the latest published before {self.asked.isoformat()}"
        return f"{self.base} 1 = {self.quote} {self.rate} ({self.source or 'rate'} {when})"


def identity(currency: str, day: date) -> RateUsed:
    return RateUsed(base=currency, quote=currency, rate=Decimal(1), day=day, asked=day)


def cross_rate(per_base: dict[str, Decimal], frm: str, to: str) -> Decimal:
    """1 ``frm`` in ``to``, from rates per unit of the common base (the base itself = 1).

    Raises KeyError naming the currency without a rate.
    """
    r_frm, r_to = per_base[frm], per_base[to]
    if r_frm == r_to:
        return Decimal(1)
    quotient = (r_to / r_frm).quantize(Decimal(10) ** -RATE_PLACES, rounding=ROUND_HALF_EVEN)
    return Decimal(format(quotient.normalize(), "f"))  # 1.0705, not 1.0705000000


def convert(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """``amount`` times ``rate``, rounded half to even to ``currency``'s minor unit."""
    return from_minor(to_minor(amount * rate, currency), currency)
