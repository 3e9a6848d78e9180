"""Fields as a person reads them: a refusal or a form error names the field by the label
its form shows (``signed_on`` is "Signed on", in the page's language), never by the
name the code gives it; and the messages of the receipt reversal's value date.

``field_label`` (a page's ``field_label(name)``) looks the name up here, then among the
proposal form's fields (``labels.LABELS``); a name neither knows (a CSV file's own column)
is shown as it is, since it is what the person's file says.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

from pfund.web.labels import LABELS, N_

# The staff forms' fields (agreements, loans, donors, companies, verification, committee)
# by the name a service or a pydantic model gives them, worded as the forms label them.
FIELD_LABELS = {
    "project_id": N_("Project"),
    "signed_on": N_("Signed on"),
    "ends_on": N_("Ends on"),
    "amount": N_("Amount"),
    "currency": N_("Currency"),
    "reason": N_("Reason"),
    "conditions_precedent": N_("Conditions precedent"),
    "reporting_duties": N_("Reporting duties"),
    "on": N_("Date"),
    "day": N_("Date"),
    "as_of": N_("As of"),
    "receipt": N_("Receipt no."),
    "memo": N_("Note on the receipt"),
    "stage": N_("Stage"),
    "kind": N_("Kind"),
    "status": N_("Status"),
    "tracker": N_("Layout"),
    "source": N_("Source (who published it)"),
    "url": N_("Address (optional)"),
    "file": N_("File"),
    "seed": N_("Seed"),
    "confidence": N_("Confidence"),
    "precision": N_("Precision"),
    "decision": N_("Decision"),
    "vote": N_("Vote"),
    "comment": N_("Comment"),
    # What an agreement's change records (its version rows).
    "decommitted": N_("Decommitted"),
    "repooled": N_("Returned to the pool"),
    "tranches": N_("Tranches"),
    "tranches_cancelled": N_("Tranches cancelled"),
    "exchange_difference": N_("Exchange difference"),
    "rate": N_("Rate"),
}

# A receipt reversal's value date (pfund.services.donors.reverse_receipt) and the other
# refusals of the reversal form, for ``localize.MESSAGES``.
LANG17_MESSAGES = [
    N_("a reversal states its reason"),
    N_("give the reason in 1 to %(n)s characters"),
    N_("a reversal cannot be dated in the future; nothing was changed"),
    N_("a reversal cannot be dated before its receipt; nothing was changed"),
    N_("%(day)s is after today (%(today)s)"),
    N_("%(day)s is before the receipt's day (%(date)s)"),
    N_("bad day"),
    N_("bad amount"),
    N_("'%(value)s' is not a date (YYYY-MM-DD)"),
    N_("'%(value)s' is not an amount"),
    # Why a committee seat is suspended or recused (pfund.services.committee, vetting).
    N_("vetting: %(reasons)s"),
    N_("never vetted: no criterion judged"),
    N_("never approved"),
    N_("the approval starts on %(date)s"),
    N_("the approval expired on %(date)s"),
    N_("'%(name)s' not met (judged on %(date)s)"),
    N_("'%(name)s' not met"),
    N_("'%(name)s' not judged"),
    N_("suspended by decision"),
    N_("declared a conflict on this item"),
]


# What a person typed (a reason) is shown as typed, never machine-translated; a page
# in the other language says so beside it (``as_typed``).
TYPED = {"en": N_("(as written, in English)"), "ru": N_("(as written, in Russian)")}
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


def as_typed(text: object, lang: str, gettext: Callable[..., str]) -> Markup:
    """``text`` as a person typed it. When it is written in the other language than the
    page's (Cyrillic on an English page, Latin letters only on a Russian one), it is
    marked with its language (so readers and screen readers know) and a note says it is
    shown as written."""
    said = "" if text is None else str(text)
    written = "ru" if CYRILLIC.search(said) else "en" if LATIN.search(said) else lang
    if not said or written == lang or written not in TYPED:
        return Markup("{}").format(said)
    note = gettext(TYPED[written])
    return Markup('<span lang="{}">{}</span> <small class="as-typed">{}</small>').format(
        written, said, note
    )


# The columns (keys) of the files staff import (projects, organisations, people,
# conditions, contributors, results), as an import's problems name them (lang18b).
IMPORT_FIELD_LABELS = {
    "id": N_("Code"),
    "code": N_("Code"),
    "description_ru": N_("Description in Russian"),
    "benefits": N_("Benefits"),
    "outcomes": N_("Outcomes"),
    "contacts": N_("Contacts"),
    "partners": N_("Partners"),
    "proponent": N_("Proposing organisation"),
    "depends_on": N_("Depends on"),
    "excludes": N_("Excludes"),
    "notes": N_("Notes"),
    "risk": N_("Risk"),
    "protected_fields": N_("Protected fields"),
    "alias": N_("Other name"),
    "areas": N_("Areas"),
    "capabilities": N_("Capabilities"),
    "country": N_("Country"),
    "name": N_("Name (organisation or person)"),
    "website": N_("Website"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "definition": N_("Definition"),
    "definition_ru": N_("Definition in Russian"),
    "iati_type": N_("IATI type"),
    "protocol": N_("Protocol"),
    "iso3": N_("Country code (ISO3)"),
    "gdp_usd": N_("GDP, USD"),
    "defence_usd": N_("Defence spending, USD"),
    "defence_pct_gdp": N_("Defence spending, share of GDP"),
    "project": N_("Project"),
    "period": N_("Period"),
    "indicator": N_("Indicator"),
    "value": N_("Value reported"),
    "unit": N_("Unit"),
}


def field_label(gettext: Callable[..., str], name: object) -> str:
    """The label of field ``name`` in the page's language (``gettext``); a nested name
    (``costs.2028.capital``) by its first part's label and the rest as it is."""
    key = str(name)
    for table in (FIELD_LABELS, LABELS, IMPORT_FIELD_LABELS):
        if key in table:
            return gettext(table[key])
    head, dot, rest = key.partition(".")
    if dot and head != key and field_label(gettext, head) != head:
        return f"{field_label(gettext, head)} ({rest})"
    return key
