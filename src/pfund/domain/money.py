"""Money: a Decimal amount with an ISO 4217 currency, and its exact storage form.

Floats never hold money here; the store keeps integer minor units so that SQLite and
PostgreSQL agree to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Annotated

import pycountry
from babel.numbers import get_currency_precision
from pydantic import AfterValidator, BaseModel, ConfigDict


def check_currency(code: str) -> str:
    """Accept only codes ISO 4217 knows, so a typo never becomes a new currency."""
    upper = code.strip().upper()
    if pycountry.currencies.get(alpha_3=upper) is None:
        raise ValueError(f"unknown currency '{code}' (expected an ISO 4217 code such as USD)")
    return upper


CurrencyCode = Annotated[str, AfterValidator(check_currency)]


@cache
def minor_digits(currency: str) -> int:
    """Digits after the decimal point in the currency's minor unit (USD 2, JPY 0)."""
    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """Exact integer minor units; rounds half to even only below the minor unit."""
    scale = Decimal(10) ** minor_digits(currency)
    return int((amount * scale).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_digits(currency))


class Money(BaseModel):
    """An amount in one currency; adding two currencies is an error, not a conversion."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal
    currency: CurrencyCode

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.{minor_digits(self.currency)}f}"
