"""The money gate's pure checks: each says why a tranche is held, in a finance officer's words.

A release or a payment passes only when nothing holds it. Besides the political
conditions (``stages.tranche_gate``) and screening hits (read from the store by the
service), two rules live here, on domain objects and a ``today`` the caller passes in:

- **vetting**: every counterparty of a kind the fund vets (a democratic-forces group)
  must hold an approval on the day: every PACE criterion judged and met, approved, and
  not expired. A missing, incomplete, not yet approved or lapsed vetting holds the money;
- **year**: a tranche is money for its year, so it is not released before 1 January of
  that year, unless a person decides an early release explicitly (and the service
  audits it with the reason).

Each check returns ``Hold``s: a short summary for the refusal's headline and a
``Problem`` with the detail. Only ids and codes appear, never a person's name. The
problem says what is missing in words that name no command or option, and carries a
``code`` (``VETTING_NOT_APPROVED``, ``YEAR_NOT_BEGUN``) and its ``facts``, so that each
channel adds its own remedy: the CLI its command, the API its route, a page a link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pfund.conditions.stages import GateResult
from pfund.domain import ConditionStatus, Organisation, OrganisationKind, Tranche
from pfund.domain.enums import VettingCriterion
from pfund.errors import Problem

__all__ = [
    "VETTED_KINDS",
    "VETTING_NOT_APPROVED",
    "YEAR_NOT_BEGUN",
    "Hold",
    "condition_holds",
    "vetting_holds",
    "year_hold",
]

# The kinds of counterparty whose vetting must hold. Only a democratic-forces group
# carries the PACE checklist (an NGO, the other civil-society kind, is not vetted on it:
# see ``Organisation._profile_fits_kind``); a new kind that is vetted is added here.
VETTED_KINDS = frozenset({OrganisationKind.DEMOCRATIC_FORCES})

# The codes of the holds said as data (facts: ``organisation``, ``kind``, ``never`` and
# ``unmet``, the criteria never judged and judged not met, comma-separated; and
# ``tranche``, ``year``, ``opens``).
VETTING_NOT_APPROVED = "vetting_not_approved"
YEAR_NOT_BEGUN = "year_not_begun"


@dataclass(frozen=True)
class Hold:
    """One reason money is held: a headline summary and the problem that explains it.

    ``subject`` is what holds it, by code or id (the condition, the hit, the
    counterparty, the year) and ``state`` that thing's status, so that a page can say
    the reason in its reader's language and link to where it is put right."""

    summary: str
    problem: Problem
    subject: str = ""
    state: str = ""


def condition_holds(gate: GateResult, holders: Mapping[str, int] | None = None) -> list[Hold]:
    """One hold per condition the tranche needs that is not met, naming its status.

    ``holders`` maps a condition to the stage that needs it, to say "stage 1" rather than
    leave the reader to look it up; a condition of no stage is the tranche's own.
    """
    holders = holders or {}
    out = []
    for code in gate.missing:
        status = gate.missing_status.get(code, ConditionStatus.NOT_MET)
        stage = holders.get(code)
        via = f"stage {stage}" if stage is not None else "the tranche's own conditions"
        reason = (
            f"condition {code} is {status.value.replace('_', ' ')}; {via} needs it met "
            "before money moves"
        )
        problem = Problem(reason, field="conditions")
        out.append(Hold(f"condition {code} is {status.value}", problem, code, status.value))
    return out


def vetting_holds(organisations: Iterable[Organisation], today: date) -> list[Hold]:
    """One hold per counterparty of a vetted kind whose vetting does not hold on ``today``."""
    out = []
    for org in organisations:
        if org.kind not in VETTED_KINDS:
            continue
        why = _vetting_gap(org, today)
        if why is None:
            continue
        reason = (
            f"counterparty {org.id} ({org.kind.value.replace('_', ' ')}): {why}; the money "
            "waits for an approved vetting"
        )
        problem = Problem(
            reason,
            field="vetting",
            code=VETTING_NOT_APPROVED,
            facts={"organisation": org.id, "kind": org.kind.value, **_criteria_gaps(org)},
        )
        out.append(Hold(f"vetting of {org.id} is not approved", problem, org.id))
    return out


def _criteria_gaps(org: Organisation) -> dict[str, str]:
    """The criteria never judged and judged not met, each comma-separated (may be empty)."""
    judged = {i.criterion: i.met for i in (org.vetting.items if org.vetting else [])}
    return {
        "never": ",".join(c.value for c in VettingCriterion if judged.get(c) is None),
        "unmet": ",".join(c.value for c in VettingCriterion if judged.get(c) is False),
    }


def _vetting_gap(org: Organisation, today: date) -> str | None:
    """What is missing from a group's vetting on ``today``, or None when it holds."""
    vetting = org.vetting
    judged = {i.criterion: i.met for i in (vetting.items if vetting else [])}
    never = [c.value for c in VettingCriterion if judged.get(c) is None]
    unmet = [c.value for c in VettingCriterion if judged.get(c) is False]
    total = len(VettingCriterion)
    gaps = []
    if never:
        gaps.append(f"{len(never)} of {total} criteria never judged ({', '.join(never)})")
    if unmet:
        gaps.append(f"{len(unmet)} of {total} criteria judged not met ({', '.join(unmet)})")
    if gaps:
        return "vetting not approved: " + "; ".join(gaps)
    assert vetting is not None  # every criterion judged means a checklist exists
    if vetting.approved_on is None:
        return "every criterion is met but the vetting was never approved"
    if today < vetting.approved_on:
        return f"the vetting approval starts on {vetting.approved_on}, after today ({today})"
    if vetting.valid_until is not None and today > vetting.valid_until:
        return f"the vetting approval lapsed on {vetting.valid_until}"
    return None


def year_hold(tranche: Tranche, today: date, *, early: bool) -> Hold | None:
    """A hold when the tranche's year has not begun, unless an early release is decided."""
    opens = date(tranche.year, 1, 1)
    if today >= opens or early:
        return None
    reason = (
        f"tranche {tranche.id} is money for {tranche.year} and may be released from "
        f"{opens}; releasing it earlier needs an explicit early release with a reason"
    )
    facts: dict[str, str | int] = {
        "tranche": tranche.id,
        "year": tranche.year,
        "opens": opens.isoformat(),
    }
    problem = Problem(reason, field="year", code=YEAR_NOT_BEGUN, facts=facts)
    return Hold(f"its year {tranche.year} has not begun", problem, str(tranche.year))
