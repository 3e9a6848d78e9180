"""The board report's words in one language: the catalog, the locale's numbers and money,
and the names the fund's data gives in English and Russian.

The report is written once per language from the same figures, so the two files can only
differ in words. Fixed text comes from the web's gettext catalog (one set of
translations for pages and reports); names come from the data's ``_ru`` fields or from
CLDR (countries), as on the pages; numbers, money and dates are written by Babel in the
reader's locale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations

from pfund.services.names import Name, words
from pfund.web.i18n import Formatter, translations
from pfund.web.labels import LABELS, N_
from pfund.web.localize import country_name, translate_message

# Words that come from data (robustness classes, ledger accounts, criteria, the kinds of
# work a stage unlocks), marked for translation here; an unknown code reads as words.
REPORT_WORDS = {
    "core": N_("core"),
    "borderline": N_("borderline"),
    "exterior": N_("exterior"),
    "weighted mixture": N_("Weighted mixture"),
    "net_benefit": N_("net economic benefit"),
    "people_reached": N_("people reached"),
    "democratic_governance": N_("contribution to democratic governance"),
    "regional_equity": N_("spending outside the largest regions"),
    "cost_at_risk": N_("expected money lost to failure"),
    "planning": N_("planning"),
    "all": N_("all areas"),
}

# The ledger's accounts, as the board reads its balances (not the tranche statuses that
# share some of their codes: ``returned`` money is not a proposal returned for changes).
ACCOUNTS = {
    "pledged": N_("pledged by members"),
    "contributions_receivable": N_("contributions receivable"),
    "fund_balance": N_("fund balance"),
    "committed": N_("committed to projects"),
    "released": N_("released, not yet paid"),
    "frozen": N_("frozen money"),
    "disbursed": N_("paid out"),
    "returned": N_("returned by projects"),
}


@dataclass(frozen=True)
class Words:
    """What the report template and charts call to write a text in ``lang``."""

    lang: str
    currency: str = "USD"
    areas: dict[str, Name] = field(default_factory=dict)

    @property
    def catalog(self) -> NullTranslations:
        return translations(self.lang)

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang)

    def gettext(self, message: str, **values: Any) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        return self.catalog.ngettext(singular, plural, n) % {"num": n, **values}

    def word(self, code: str) -> str:
        """A status, class or code from the data in the reader's words."""
        known = REPORT_WORDS.get(code) or LABELS.get(code)
        if known is not None:
            return self.gettext(known)
        if code in self.areas:
            return self.areas[code].in_language(self.lang)
        return words(code)

    def account(self, code: str) -> str:
        """A ledger account's name in the reader's words."""
        return self.gettext(ACCOUNTS[code]) if code in ACCOUNTS else words(code)

    def listed(self, codes: list[str]) -> str:
        """Codes from the data as the reader's words, one after another."""
        return ", ".join(self.word(code) for code in codes)

    def name(self, found: Name | None, code: str) -> str:
        return found.in_language(self.lang) if found else words(code)

    def area(self, code: str) -> str:
        return self.name(self.areas.get(code), code)

    def twin(self, obj: Any, attribute: str) -> str:
        """``obj.<attribute>_ru`` for a Russian reader when it is filled (the data's
        Russian twin), else the English."""
        english = str(getattr(obj, attribute, "") or "")
        if self.lang == "en":
            return english
        return str(getattr(obj, f"{attribute}_{self.lang}", "") or english)

    def country(self, iso3: str, english: str) -> str:
        return country_name(iso3, english, self.lang)

    def message(self, text: str) -> str:
        """An English error message from a service, translated as pages translate it."""
        return translate_message(text, self.lang, self.gettext)

    def messages(self, texts: list[str]) -> str:
        return "; ".join(self.message(text) for text in texts)

    def number(self, value: float | None, digits: int = 0) -> str:
        if value is None:
            return "-"
        return self.fmt.number(value, digits)

    def m(self, value: float | None) -> str:
        """Millions, one decimal: ``4,035.7`` / ``4 035,7``."""
        return self.number(value, 1)

    def pct(self, value: float | None, digits: int = 0) -> str:
        return "-" if value is None else self.fmt.percent(value, digits)

    def tick(self, value: float) -> str:
        """A number on a chart's axis, as few decimals as it needs."""
        return format_decimal(value, format="#,##0.###", locale=self.lang)

    def money_m(self, value_m: float) -> str:
        """Millions of the fund's currency in the locale's pattern: ``$4,035.7 million``
        / ``4 035,7 млн $``."""
        return self._money(value_m, self.gettext("million"))

    def money_bn(self, value_bn: float) -> str:
        return self._money(value_bn, self.gettext("billion"))

    def _money(self, value: float, unit: str) -> str:
        pattern = self.fmt.locale.currency_formats["standard"].pattern
        number = "#,##0.0\u00a0'" + unit.replace("'", "''") + "'"
        return format_currency(
            value,
            self.currency,
            format=pattern.replace("#,##0.00", number),
            locale=self.lang,
            currency_digits=False,
        )

    def when(self, moment: datetime) -> str:
        """A moment as ``5 December 2026, 17:16 UTC`` / ``5 декабря 2026 г., 17:16 UTC``."""
        day = format_date(moment, format="long", locale=self.lang)
        time = format_time(moment, format="HH:mm", tzinfo=moment.tzinfo, locale=self.lang)
        return f"{day}, {time} UTC"

    def date(self, value: Any) -> str:
        return self.fmt.date(value)
