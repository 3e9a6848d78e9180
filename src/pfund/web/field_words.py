"""Fields as a person reads them: a refusal or a form error names the field by the label
its form shows (``signed_on`` is "Signed on", in the page's language), never by the
name the code gives it; and the messages of the receipt reversal's value date.

``field_label`` (a page's ``field_label(name)``) looks the name up here, then among the
proposal form's fields (``labels.LABELS``); a name neither knows (a CSV file's own column)
is shown as it is, since it is what the person's file says.
"""

from __future__ import annotations

from collections.abc import Callable

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
]


def field_label(gettext: Callable[..., str], name: object) -> str:
    """The label of field ``name`` in the page's language (``gettext``)."""
    key = str(name)
    if key in FIELD_LABELS:
        return gettext(FIELD_LABELS[key])
    if key in LABELS:
        return gettext(LABELS[key])
    return key
