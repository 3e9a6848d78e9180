"""Words that come from data (statuses, ratings), marked for translation in one place.

``N_`` only marks a message for extraction (``pybabel extract -k N_``); the page looks
the English word up in the catalog when it renders.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    return message


LABELS = {
    "submitted": N_("submitted"),
    "proposed": N_("proposed"),
    "screened": N_("screened"),
    "appraised": N_("appraised"),
    "approved": N_("approved"),
    "funded": N_("funded"),
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
    "met": N_("met"),
    "not_met": N_("not met"),
    "partly_met": N_("partly met"),
    "reversed": N_("reversed"),
    "unknown": N_("unknown"),
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "optimal": N_("optimal"),
    "feasible": N_("feasible"),
    "error": N_("error"),
    "infeasible": N_("infeasible"),
    "planned": N_("planned"),
    "released": N_("released"),
    "frozen": N_("frozen"),
    "disbursed": N_("disbursed"),
}


def label_in(gettext: object, value: object) -> str:
    text = LABELS.get(str(value), str(value).replace("_", " "))
    return gettext(text) if callable(gettext) else text
