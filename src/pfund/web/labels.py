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
    "very_high": N_("very high"),
    "done": N_("done"),
    # Kinds of decision records and of background jobs.
    "portfolio": N_("portfolio run"),
    "appraisal": N_("appraisal"),
    "frontier": N_("frontier"),
    "robust": N_("robustness"),
    "scenario": N_("scenario run"),
    "screening": N_("screening"),
    # Review states.
    "awaiting declaration": N_("awaiting declaration"),
    "recused": N_("recused"),
    "to score": N_("to score"),
    "democratic_governance": N_("democratic governance"),
    # Kinds of records: imports, open datasets, counterparties.
    "projects": N_("projects"),
    "organisations": N_("organisations"),
    "people": N_("people"),
    "contributors": N_("contributors"),
    "conditions": N_("conditions"),
    "tranches": N_("tranches"),
    "organisation": N_("organisation"),
    "person": N_("person"),
    "ngo": N_("NGO"),
    "company": N_("company"),
    # Fields of the proposal form, as an error names them.
    "title": N_("Title"),
    "title_ru": N_("Title in Russian (optional)"),
    "description": N_("What will be done, for whom, and why"),
    "area": N_("Area"),
    "regions": N_("Regions"),
    "first_year": N_("First year"),
    "years": N_("Number of years"),
    "cost_low": N_("Lowest"),
    "cost_likely": N_("Most likely"),
    "cost_high": N_("Highest"),
    "costs": N_("Costs"),
    "people_reached": N_("People it would reach (optional)"),
    "contact_name": N_("Your name"),
    "contact_email": N_("E-mail"),
    # What holds a tranche back, as the gate names it.
    "vetting": N_("vetting"),
    "year": N_("year"),
    "not met": N_("not met"),
    "partly met": N_("partly met"),
    "democratic forces": N_("democratic forces"),
    "democratic_forces": N_("democratic forces"),
}


def label_in(gettext: object, value: object) -> str:
    text = LABELS.get(str(value), str(value).replace("_", " "))
    return gettext(text) if callable(gettext) else text
