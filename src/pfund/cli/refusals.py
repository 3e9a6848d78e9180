"""How the command line words a refusal: names rather than codes, and its own commands.

The services refuse in plain English that fits every channel: a gate hold cites a
condition by its code, and a ``Refusal`` (or a ``Problem`` with a ``code``) says what is
missing as data. A person at the command line is told more: each condition by its
title and each stage by its name (the code in brackets, to type in the next command),
and the command or option that puts a refusal right, which only this channel can run.
"""

from __future__ import annotations

from collections.abc import Callable

from pfund.conditions.gates import VETTING_NOT_APPROVED, YEAR_NOT_BEGUN, Hold
from pfund.errors import Facts, PfundError, Problem, Refusal
from pfund.services.committee_gate import (
    COMMITTEE_DECISION_NEEDED,
    ITEM_OPEN,
    REJECTED,
    needed_words,
)
from pfund.services.gate import (
    GRIEVANCE_HOLD,
    LICENCE_MISSING,
    SCREENING_HIT,
    GateNames,
    GateRefused,
)
from pfund.services.imports import COST_CHANGE_NOT_ALLOWED
from pfund.services.tranches import CONTRIBUTIONS_NEEDED, shortfall
from pfund.web.field_words import field_label


def _contributions_needed(facts: Facts) -> str:
    year = facts.get("year", "YEAR")
    return (
        f"{shortfall(facts)}; record contributions first: "
        f"pfund fund contributions --year {year} --received"
    )


def _cost_change_not_allowed(facts: Facts) -> str:
    return (
        f"project {facts['project']} is {facts['status']}: its money is committed in "
        f"tranches, so its {facts['field']} cannot change by import (allow it explicitly "
        "with --allow-cost-changes; the tranches stay as committed)"
    )


def _committee_decision_needed(facts: Facts) -> str:
    run, item = facts["run"], facts.get("item", "ITEM")
    open_new = f"pfund committee open portfolio --run {run} --title TEXT"
    if facts["state"] == REJECTED:
        todo = f"put a new selection to it: {open_new} --projects IDS"
    elif facts["state"] == ITEM_OPEN:
        todo = (
            f"the seats vote (pfund committee vote {item} yes|no|abstain --seat LABEL), "
            f"then close it: pfund committee tally {item} --close"
        )
    else:
        todo = (
            f"put it to the committee: {open_new}, the seats vote (pfund committee vote "
            "ITEM yes|no|abstain --seat LABEL), then close it: pfund committee tally ITEM "
            "--close"
        )
    return f"{needed_words(dict(facts))}. To do: {todo}"


# The CLI's words for each refusal said as data, by its code.
WORDING: dict[str, Callable[[Facts], str]] = {
    CONTRIBUTIONS_NEEDED: _contributions_needed,
    COMMITTEE_DECISION_NEEDED: _committee_decision_needed,
    COST_CHANGE_NOT_ALLOWED: _cost_change_not_allowed,
}


# The command that clears each of the gate's holds said as data, after the gate's words.
GATE_COMMANDS: dict[str, Callable[[Facts], str]] = {
    SCREENING_HIT: lambda _f: "review it with 'pfund screen review'",
    GRIEVANCE_HOLD: lambda f: f"'pfund grievances lift {f['grievance']} --reason TEXT'",
    VETTING_NOT_APPROVED: lambda f: f"vet it with 'pfund organisations vet {f['organisation']}'",
    YEAR_NOT_BEGUN: lambda f: f"'pfund tranches release {f['tranche']} --early --reason TEXT'",
    LICENCE_MISSING: lambda _f: "record a licence that covers it with 'pfund licences import FILE'",
}


def refusal_lines(err: PfundError) -> tuple[str, list[str]]:
    """The headline and one line per problem, as the CLI prints an error."""
    if isinstance(err, GateRefused):
        return _gate_headline(err), [_hold_line(h, err.names) for h in err.holds]
    message = err.message
    if isinstance(err, Refusal) and err.code in WORDING:
        message = WORDING[err.code](err.facts)
    return message, [_problem_line(p) for p in err.problems]


def _problem_line(problem: Problem) -> str:
    if problem.code in WORDING:
        worded = WORDING[problem.code](problem.facts)
        problem = Problem(worded, problem.file, problem.row, problem.field)
    return _in_file(problem) or str(problem)


def _in_file(problem: Problem) -> str:
    """A problem in an imported file names its field by the label the pages use, with
    the file's column beside it (``bad.csv, row 2, field "Title" (column title): ...``);
    a field without a label, or a problem not in a file, as the service says it."""
    if not problem.file or not problem.field:
        return ""
    named = field_label(lambda text: text, problem.field)
    if named == problem.field:
        return ""
    where = [problem.file, *([f"row {problem.row}"] if problem.row else [])]
    return f'{", ".join(where)}, field "{named}" (column {problem.field}): {problem.reason}'


def _gate_headline(err: GateRefused) -> str:
    """``tranche T cannot be released: 2 conditions not met (A, B); its year ...``."""
    unmet = [h for h in err.holds if h.problem.field == "conditions"]
    parts = []
    if unmet:
        titles = ", ".join(f'"{err.names.conditions.get(h.subject, h.subject)}"' for h in unmet)
        noun = "condition" if len(unmet) == 1 else "conditions"
        parts.append(f"{len(unmet)} {noun} not met ({titles})")
    parts += [h.summary for h in err.holds if h.problem.field != "conditions"]
    return f"tranche {err.tranche} cannot be {err.step}: {'; '.join(parts)}"


def _hold_line(hold: Hold, names: GateNames) -> str:
    """A condition by its title and code, and the stage that needs it by number and
    name; any other hold as the gate says it, with the command that clears it."""
    if hold.problem.field != "conditions":
        command = GATE_COMMANDS.get(hold.problem.code or "")
        reason = hold.problem.reason
        return f"{reason} ({command(hold.problem.facts)})" if command else reason
    code = hold.subject
    title = names.conditions.get(code)
    condition = f'"{title}" [{code}]' if title else code
    stage = names.holders.get(code)
    if stage is None:
        via = "the tranche's own conditions need"
    elif stage in names.stages:
        via = f'stage {stage}, "{names.stages[stage]}", needs'
    else:
        via = f"stage {stage} needs"
    state = hold.state.replace("_", " ") or "not met"
    return f"condition {condition} is {state}; {via} it met before money moves"
