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
    "returned": N_("returned for changes"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
    "open": N_("open, to decide"),
    "confirmed": N_("confirmed"),
    "dismissed": N_("dismissed"),
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
    "results": N_("results"),
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

# A proposal's status as its proposer reads it, in a sentence.
PROPOSAL_STATUS_WORDS = {
    "submitted": N_("The fund's staff are reading your proposal."),
    "returned": N_("Returned for changes: read the message below, then answer with your changes."),
    "rejected": N_("The fund has decided not to take your proposal further; the reason is below."),
    "withdrawn": N_("You withdrew this proposal."),
    "proposed": N_("Your proposal has been taken into the fund's pipeline for appraisal."),
}

# What staff and proposer said to each other, by kind.
MESSAGE_WORDS = {
    "question": N_("Question from the fund"),
    "answer": N_("Your answer"),
    "returned": N_("Returned for changes"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}

# The same, as staff read them.
STAFF_MESSAGE_WORDS = {
    "question": N_("Question to the proposer"),
    "answer": N_("Answer from the proposer"),
    "returned": N_("Returned for changes"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn by the proposer"),
}

# A review's state (pfund.services.reviews.Review.state).
REVIEW_STATES = (
    N_("awaiting declaration"),
    N_("recused"),
    N_("to score"),
)

# A proposal's history (audit events of its project) in words.
HISTORY_WORDS = {
    "project.submitted": N_("received through the public form"),
    "project.created": N_("imported"),
    "project.accepted": N_("taken into the pipeline"),
    "project.published": N_("published on the portal"),
    "project.unpublished": N_("taken off the portal"),
    "proposal.asked": N_("question asked"),
    "proposal.answered": N_("answered by the proposer"),
    "proposal.resubmitted": N_("sent again with changes"),
    "proposal.returned": N_("returned for changes"),
    "proposal.rejected": N_("rejected"),
    "proposal.withdrawn": N_("withdrawn by the proposer"),
    "review.assigned": N_("reviewer assigned"),
    "review.declared": N_("reviewer declared conflicts of interest"),
    "review.scored": N_("reviewer scored it"),
    "project.approved": N_("approved by the board"),
    "tranches.rescheduled": N_("payment schedule changed"),
}


def label_in(gettext: object, value: object) -> str:
    text = LABELS.get(str(value), str(value).replace("_", " "))
    return gettext(text) if callable(gettext) else text
