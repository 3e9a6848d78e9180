"""Languages of the pages: gettext catalogs through Babel, chosen per request.

The catalogs are kept as ``.po`` files (the translators' format, reviewed in git) and
compiled in memory when the app starts, so no generated ``.mo`` file is committed or
needed at install time. A language's folder may hold several ``.po`` files (one per part
of the service, so translators of different parts do not edit one file); they are read
as one catalog, ``messages.po`` first, and a message two files translate is an error.
The language comes from ``?lang=``, then the ``lang`` cookie,
then the browser's Accept-Language; English when nothing matches.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ru")
DEFAULT = "en"
DOMAIN = "messages"


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; English is the source, so it needs none."""
    if language == DEFAULT:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog(language))
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def catalog(language: str) -> Catalog:
    """Every ``.po`` file of ``language`` as one catalog."""
    folder = files("pfund.web") / "locale" / language / "LC_MESSAGES"
    names = sorted(
        (p.name for p in folder.iterdir() if p.name.endswith(".po")),
        key=lambda name: (name != f"{DOMAIN}.po", name),
    )
    merged: Catalog | None = None
    for name in names:
        with (folder / name).open("rb") as handle:
            part = read_po(handle, locale=language, domain=DOMAIN)
        if merged is None:
            merged = part
            continue
        for message in part:
            if not message.id:
                continue
            if message.id in merged and merged[message.id].string:
                raise ValueError(f"{name}: '{message.id}' is translated in two catalogs")
            merged[message.id] = message
    if merged is None:
        raise FileNotFoundError(f"no catalog for '{language}' in {folder}")
    return merged


def negotiate(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        base = tag.split("-")[0]
        if base in LANGUAGES:
            return base
    return DEFAULT


@dataclass(frozen=True)
class Formatter:
    """Numbers, money and dates as a reader of ``language`` writes them."""

    language: str

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.language)

    def number(self, value: float | Decimal | int, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def money(self, value: Decimal | float | int, currency: str = "USD") -> str:
        """Whole units in the locale's own pattern (``$1,200`` / ``1 200 $``)."""
        pattern = self.locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(
            round(Decimal(value)),
            currency,
            format=pattern,
            locale=self.language,
            currency_digits=False,
        )

    def money_short(self, value: Decimal | float | int, currency: str = "USD") -> str:
        """USD 1.2 billion as a reader skims it: compact, two significant figures."""
        return format_compact_currency(
            float(value), currency, locale=self.language, fraction_digits=1
        )

    def percent(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
        return format_percent(value, format=pattern, locale=self.language)

    def date(self, value: date | datetime | str | None) -> str:
        """A date (or an ISO date text, as records keep it) in the locale's long form."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if isinstance(value, datetime):
            return format_datetime(value, format="medium", locale=self.language)
        return format_date(value, format="long", locale=self.language)
