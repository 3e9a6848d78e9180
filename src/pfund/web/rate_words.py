"""A conversion as a page states it, in the page's language (lang18b).

Services state a rate in English (``RateUsed.stated``: ``EUR 1 = USD 1.0812 (source
rate of 2026-11-02, the latest published before 2026-11-03)``) and records keep that
text, an agreement's change line among them; a tranche keeps the rate's figures and its
source in English. A page in Russian writes them again from their parts: the figures as
the page writes numbers and dates, the source by its Russian name
(``exchange_rates.source_ru``, looked up by the English one the record kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from pfund.services import rates
from pfund.services.runtime import Runtime
from pfund.web.i18n import Formatter
from pfund.web.labels import N_

Gettext = Callable[..., str]

STATED = re.compile(
    r"^(?P<base>[A-Z]{3}) 1 = (?P<quote>[A-Z]{3}) (?P<rate>\d+(?:\.\d+)?) "
    r"\((?P<source>.*?) ?rate of (?P<day>\d{4}-\d{2}-\d{2})"
    r"(?:, the latest published before (?P<asked>\d{4}-\d{2}-\d{2}))?\)$"
)
NO_CONVERSION = re.compile(r"^(?P<base>[A-Z]{3}) needs no conversion$")

LINE = N_("%(base)s 1 = %(quote)s %(rate)s (rate of %(day)s; %(source)s)")
LINE_EARLIER = N_(
    "%(base)s 1 = %(quote)s %(rate)s (rate of %(day)s, the latest published before "
    "%(asked)s; %(source)s)"
)
NO_SOURCE = N_("source not recorded")
NEEDS_NONE = N_("%(base)s needs no conversion")


def source_names_for(rt: Runtime, lang: str, sources: Iterable[str]) -> Mapping[str, str]:
    """The Russian names a page needs for the stored ``sources`` it shows: none on an
    English page or a page that shows no source, so those read no more than before
    (the staff tranches page is bounded in statements: tests/api/test_page_cost.py)."""
    if lang == "en" or not any(sources):
        return {}
    return rates.source_names(rt)


def source_in(text: str, lang: str, names: Mapping[str, str]) -> str:
    """A stored source (one, or several joined by '; ') in the page's language; a source
    with no Russian kept is shown as stored. A source whose own text holds '; ' (the
    sample's "... (two days; rates/README.md)") is looked up whole first."""
    if lang == "en" or not text:
        return text
    if text in names:
        return names[text]
    return "; ".join(names.get(part, part) for part in text.split("; "))


def rate_number(rate: Decimal | str, fmt: Formatter) -> str:
    """A rate with all its digits, written as the page writes a decimal."""
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        return str(rate)
    digits = max(0, -int(value.normalize().as_tuple().exponent))
    return fmt.number(value, digits)


def rate_line(
    text: str, lang: str, gettext: Gettext, fmt: Formatter, names: Mapping[str, str]
) -> str:
    """A stated conversion in the page's language; a text of another shape as it is."""
    same = NO_CONVERSION.match(text.strip())
    if same is not None:
        return gettext(NEEDS_NONE, base=same["base"])
    found = STATED.match(text.strip())
    if found is None:
        return text
    source = "" if found["source"] in ("", "rate") else found["source"]
    values = {
        "base": found["base"],
        "quote": found["quote"],
        "rate": rate_number(found["rate"], fmt),
        "day": fmt.date(found["day"]),
        "source": source_in(source, lang, names) or gettext(NO_SOURCE),
    }
    if found["asked"]:
        return gettext(LINE_EARLIER, asked=fmt.date(found["asked"]), **values)
    return gettext(LINE, **values)


def tranche_rate(
    original: tuple[Decimal, str, Decimal, date, str],
    fund_currency: str,
    lang: str,
    gettext: Gettext,
    fmt: Formatter,
    names: Mapping[str, str],
) -> str:
    """A converted tranche's own amount and the rate of its commitment, with its source."""
    amount, currency, rate, day, source = original
    return gettext(
        N_("%(amount)s at %(line)s"),
        amount=fmt.money(amount, currency),
        line=gettext(
            LINE,
            base=currency,
            quote=fund_currency,
            rate=rate_number(rate, fmt),
            day=fmt.date(day),
            source=source_in(source, lang, names) or gettext(NO_SOURCE),
        ),
    )
