"""How the API words a refusal said as data: a machine-readable reason and words that
name what an API client can send (a route, a request field), never a command line.

A ``Refusal`` answers with ``reason`` (its code) and ``facts`` beside the usual
``message``; a problem with a ``code`` carries ``code`` and ``facts`` too, and its
``reason`` is worded here (a gate hold keeps the gate's words and gains the route that
clears it). Everything else keeps the service's words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pfund.conditions.gates import VETTING_NOT_APPROVED, YEAR_NOT_BEGUN
from pfund.errors import Facts, PfundError, Problem, Refusal
from pfund.services.committee_gate import (
    COMMITTEE_DECISION_NEEDED,
    ITEM_OPEN,
    REJECTED,
    needed_words,
)
from pfund.services.gate import GRIEVANCE_HOLD, LICENCE_MISSING, SCREENING_HIT
from pfund.services.imports import COST_CHANGE_NOT_ALLOWED
from pfund.services.tranches import CONTRIBUTIONS_NEEDED, shortfall


def _contributions_needed(facts: Facts) -> str:
    year = f" with year {facts['year']}" if "year" in facts else ""
    return (
        f"{shortfall(facts)}; members' contributions must be received first: a role that "
        f"moves money records them with POST /api/v1/fund/contributions{year} and "
        "received true"
    )


def _cost_change_not_allowed(facts: Facts) -> str:
    return (
        f"project {facts['project']} is {facts['status']}: its money is committed in "
        f"tranches, so its {facts['field']} cannot change by import unless the import "
        "is sent with allow_cost_changes=true by a role that may approve (the tranches "
        "stay as committed)"
    )


def _committee_decision_needed(facts: Facts) -> str:
    item = facts.get("item", "{item}")
    if facts["state"] == REJECTED:
        todo = (
            "a new selection is put to the committee with POST /api/v1/committee/items "
            f"(kind portfolio, run_id {facts['run']}, projects)"
        )
    elif facts["state"] == ITEM_OPEN:
        todo = (
            f"the seats vote with POST /api/v1/committee/items/{item}/votes and the item is "
            f"closed with POST /api/v1/committee/items/{item}/close"
        )
    else:
        todo = (
            "the run is put to the committee with POST /api/v1/committee/items (kind "
            f"portfolio, run_id {facts['run']}), the seats vote with POST "
            "/api/v1/committee/items/{item}/votes and it is closed with POST "
            "/api/v1/committee/items/{item}/close"
        )
    return f"{needed_words(dict(facts))}: {todo}"


WORDING: dict[str, Callable[[Facts], str]] = {
    CONTRIBUTIONS_NEEDED: _contributions_needed,
    COMMITTEE_DECISION_NEEDED: _committee_decision_needed,
    COST_CHANGE_NOT_ALLOWED: _cost_change_not_allowed,
}


# The route that clears each of the gate's holds, after the gate's words (the problem
# keeps its ``code`` and ``facts`` for a client that words it itself).
GATE_ROUTES: dict[str, Callable[[Facts], str]] = {
    SCREENING_HIT: lambda f: (
        f"a compliance role decides it with POST /api/v1/screening/hits/{f['hit']}/decision"
    ),
    GRIEVANCE_HOLD: lambda f: (
        f"an integrity role lifts it with POST /api/v1/grievances/{f['grievance']}/lift"
    ),
    VETTING_NOT_APPROVED: lambda f: (
        f"criteria are judged with PUT /api/v1/organisations/{f['organisation']}/vetting/"
        f"{{criterion}} and approved with POST /api/v1/organisations/{f['organisation']}"
        "/vetting/approval"
    ),
    LICENCE_MISSING: lambda f: (
        "a compliance role records a licence that covers it with POST /api/v1/licences "
        f"(GET /api/v1/licences lists those naming {f['organisation']})"
    ),
    YEAR_NOT_BEGUN: lambda f: (
        f"send POST /api/v1/tranches/{f['tranche']}/release with early true and a reason"
    ),
}


def api_error(exc: PfundError) -> dict[str, Any]:
    """The ``error`` object of the API's answer to ``exc``."""
    message = exc.message
    extra: dict[str, Any] = {}
    if isinstance(exc, Refusal):
        message = WORDING[exc.code](exc.facts) if exc.code in WORDING else message
        extra = {"reason": exc.code, "facts": dict(exc.facts)}
    problems = [_worded(p) for p in exc.problems]
    return {
        "status": exc.status,
        "message": message,
        "problems": [p.as_dict() for p in problems],
        **extra,
    }


def _worded(problem: Problem) -> Problem:
    if problem.code in WORDING:
        return replace(problem, reason=WORDING[problem.code](problem.facts))
    if problem.code in GATE_ROUTES:
        route = GATE_ROUTES[problem.code](problem.facts)
        return replace(problem, reason=f"{problem.reason} ({route})")
    return problem
