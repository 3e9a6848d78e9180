"""An agreement's change line as its staff page shows it, in the page's language (ui17).

A version row keeps what changed as the service wrote it, in plain text: an amendment
as ``"67500000.00 -> 74250000.00"``, an extension as ``"2029-12-31 -> 2030-12-31"``, a
refund's amount as ``"EUR 100000.00"``, a cancellation's decommitted money as a bare
``"106000000.00"`` (the agreement's currency, the fund's). The page writes those values
again as it writes money and dates everywhere else (``Formatter.money``, ``.date``), and
the old and new value with the arrow the status line uses. A value of another shape
(a party's text, a list of tranches) is shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from pfund.web.i18n import Formatter

# The keys whose values are money (``amount`` of an amendment or a refund, what a
# cancellation or closure took back, a refund's exchange difference) and dates.
MONEY = frozenset({"amount", "decommitted", "repooled", "exchange_difference"})
DATES = frozenset({"ends_on", "signed_on"})
TEXTS = frozenset(
    {"conditions_precedent", "conditions_precedent_ru", "reporting_duties", "reporting_duties_ru"}
)
ARROW = " -> "
FIGURE = re.compile(r"^(?:(?P<currency>[A-Z]{3}) )?(?P<value>-?\d+(?:\.\d+)?)$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NONE = "—"  # a value not set before (an agreement drawn up without an end date)


def change_value(key: str, text: str, currency: str, fmt: Formatter) -> str:
    """``text``, the value of change ``key`` (one value, or ``old -> new``), written as
    the page writes its kind of value; a bare amount is in ``currency``."""
    if key in MONEY:
        return _each(text, lambda side: _money(side, currency, fmt))
    if key in DATES:
        return _each(text, lambda side: _date(side, fmt))
    if key in TEXTS and text.count(ARROW) == 1:
        return _each(text, lambda side: side or NONE)
    return text


def _each(text: str, write: Callable[[str], str | None]) -> str:
    sides = text.split(ARROW)
    if len(sides) > 2:
        return text
    written = [write(side.strip()) for side in sides]
    if any(w is None for w in written):
        return text
    return " → ".join(w for w in written if w is not None)


def _money(side: str, currency: str, fmt: Formatter) -> str | None:
    if side == "None":
        return NONE
    found = FIGURE.match(side)
    if found is None:
        return None
    return fmt.money(Decimal(found["value"]), found["currency"] or currency)


def _date(side: str, fmt: Formatter) -> str | None:
    if side in ("None", ""):
        return NONE
    if DAY.match(side) is None:
        return None
    return fmt.date(side)
