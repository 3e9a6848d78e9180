"""The joint committee: seats, items, conflicts, votes and the tally, each audited.

Donor seats weigh what their state has paid in (receipts in the ledger, net of
reversals); Russian seats count one each and stand only while the organisation holding
them stands vetted: a lapsed vetting suspends the seat, and so does a decision to
suspend it. A seat that declared a conflict on an item is recused from it, as a reviewer
is. One vote per seat per item (a database constraint). Closing an item stores its
tally as a decision record (``CMT-0001``) naming the rule applied, with the votes by
seat label; a seat's holder is protected and never leaves this module in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import pycountry
from babel import Locale
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from pfund.domain.account import USERNAME_PATTERN, Permission
from pfund.domain.governance import (
    SEAT_LABEL_PATTERN,
    SEAT_LABEL_RU_PATTERN,
    CommitteeDefinition,
    CommitteeRule,
    ItemKind,
    SeatStanding,
    SeatVote,
    Side,
    Vote,
)
from pfund.domain.lengths import Id, Title
from pfund.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from pfund.funding.balances import contributor_positions
from pfund.governance import Tally, tally
from pfund.io.dataset import load_dataset
from pfund.services import gate
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.vetting import why_not_approved
from pfund.store.unit_of_work import UnitOfWork

DEFAULT_COMMITTEE = "joint"


class SeatView(BaseModel):
    """A seat as staff see it: never its holder's name (that stays sealed)."""

    label: str
    label_ru: str = ""  # the label as a Russian page shows it
    side: Side
    weight: Decimal
    standing: SeatStanding
    why: list[str] = []
    contributor: str | None = None
    organisation_id: str | None = None
    member: str | None = None
    currency: str = ""  # of a donor seat's weight: what its state has paid in


class ItemView(BaseModel):
    id: int
    committee: str
    kind: ItemKind
    title: str
    title_ru: str = ""
    projects: list[str]
    run_id: str | None
    status: str
    opened_at: datetime
    decided_at: datetime | None
    record_id: str | None


class VoteLine(BaseModel):
    """How one seat stood and voted on an item: labels only, fit for the public."""

    seat: str
    side: Side
    weight: Decimal
    standing: SeatStanding
    vote: Vote | None
    seat_ru: str = ""  # the seat's label in Russian


class ItemTally(BaseModel):
    item: ItemView
    votes: list[VoteLine]
    tally: Tally
    departure: dict[str, Any] | None = None
    currency: str = ""  # of the donor weights


def fund_currency(uow: UnitOfWork) -> str:
    """The currency donor weights are counted in (the fund's; USD before it is set up)."""
    fund = uow.fund.get()
    return fund.currency if fund is not None else "USD"


def weight_words(currency: str) -> Callable[[Decimal], str]:
    """A donor weight as the tally's reasons write it: exact, with its currency."""
    return lambda value: f"{currency} {value:,.2f}"


def _today() -> date:
    """The gate's clock (tests fix it): a seat stands or not on the same day money does."""
    return gate.today()


def definition(rt: Runtime, code: str) -> CommitteeDefinition:
    """The committee fund.yaml defines under ``code``; its list when unknown."""
    known = load_dataset(rt.dataset).committees
    found = next((c for c in known if c.code == code), None)
    if found is None:
        listed = ", ".join(c.code for c in known) or "none"
        raise NotFound(f"no committee '{code}' in fund.yaml 'committees' (defined: {listed})")
    return found


def ensure_committee(rt: Runtime, code: str = DEFAULT_COMMITTEE) -> CommitteeDefinition:
    """Set up the committee from fund.yaml once, keeping the rule as it was then."""
    rt.require(Permission.APPROVE)
    spec = definition(rt, code)
    with rt.uow() as uow:
        if uow.committees.get_committee(code) is None:
            uow.committees.add_committee(
                {
                    "code": code,
                    "name": spec.name,
                    "name_ru": spec.name_ru,
                    "rule": spec.rule.model_dump(mode="json"),
                    "created_at": datetime.now(UTC),
                }
            )
            AuditWriter(uow, rt.actor).record(
                "committee.created", "committee", code, {"rule": spec.rule.model_dump(mode="json")}
            )
            uow.commit()
    return spec


def _rule(uow: UnitOfWork, code: str) -> CommitteeRule:
    found = uow.committees.get_committee(code)
    if found is None:
        raise NotFound(f"no committee '{code}' yet (add a seat to set it up from fund.yaml)")
    return CommitteeRule.model_validate(found["rule"])


class SeatRequest(BaseModel):
    # The label is checked against SEAT_LABEL_PATTERN (at most 64) by the service, with
    # its own message; the other texts are bounded here to the columns that hold them.
    label: str
    # In Russian (at most 64); left empty, it is derived: "Донор — Германия" from a donor
    # seat's state, "Российское место 2" from a label "Russian seat 2".
    label_ru: Annotated[str, Field(max_length=64)] = ""
    side: Side
    contributor: Annotated[str, Field(max_length=3)] | None = None  # an ISO3 code
    organisation_id: Id | None = None
    member: Annotated[str, Field(pattern=USERNAME_PATTERN)] | None = None
    holder: str = ""


def add_seat(rt: Runtime, request: SeatRequest, *, committee: str = DEFAULT_COMMITTEE) -> SeatView:
    """A donor seat names a contributor; a Russian seat a vetted organisation."""
    rt.require(Permission.APPROVE)
    _check_seat_request(request)
    ensure_committee(rt, committee)
    with rt.uow() as uow:
        problems = _seat_problems(uow, request)
        if problems:
            raise InvalidInput(f"seat {request.label}: not added", problems)
        values = request.model_dump() | {
            "label_ru": request.label_ru.strip() or default_label_ru(request),
            "committee": committee,
            "side": request.side.value,
            "suspended": False,
            "created_at": datetime.now(UTC),
        }
        try:
            uow.committees.add_seat(values)
            uow.flush()
        except IntegrityError:
            raise Conflict(f"committee {committee} already has a seat '{request.label}'") from None
        AuditWriter(uow, rt.actor).record(
            "committee.seat_added",
            "committee",
            committee,
            {"seat": request.label, "label_ru": values["label_ru"], "side": request.side.value},
        )
        uow.commit()
    return next(s for s in seats(rt, committee=committee) if s.label == request.label)


RUSSIAN_SEAT = re.compile(r"^Russian seat (?P<n>\d+)$")


def default_label_ru(request: SeatRequest) -> str:
    """A seat's Russian label when none is given: a donor seat by its state's name in
    Russian (CLDR), a Russian seat labelled the way pfund's sample labels them by its
    number; otherwise none (a Russian page then shows the label as given)."""
    if request.side is Side.DONOR and request.contributor:
        found = pycountry.countries.get(alpha_3=request.contributor.upper())
        names = Locale.parse("ru").territories
        country = names.get(found.alpha_2, request.contributor) if found else request.contributor
        return f"Донор — {country}"[:64]
    numbered = RUSSIAN_SEAT.match(request.label.strip())
    if request.side is Side.RUSSIAN and numbered is not None:
        return f"Российское место {numbered['n']}"
    return ""


def _check_seat_request(request: SeatRequest) -> None:
    problems = []
    if not re.fullmatch(SEAT_LABEL_PATTERN, request.label):
        problems.append(Problem("letters, digits, space . _ -; at most 64", field="label"))
    if request.label_ru.strip() and not re.fullmatch(
        SEAT_LABEL_RU_PATTERN, request.label_ru.strip()
    ):
        problems.append(Problem("letters, digits, space . _ - —; at most 64", field="label_ru"))
    if request.side is Side.DONOR and not request.contributor:
        problems.append(Problem("a donor seat names its contributor (ISO3)", field="contributor"))
    if request.side is Side.RUSSIAN and not request.organisation_id:
        problems.append(Problem("a Russian seat names its organisation", field="organisation"))
    if problems:
        raise InvalidInput(f"seat {request.label!r}: not added", problems)


def _seat_problems(uow: UnitOfWork, request: SeatRequest) -> list[Problem]:
    problems = []
    known = {c.iso3 for c in uow.reference.contributors()}
    if request.contributor and request.contributor not in known:
        problems.append(Problem(f"no contributor {request.contributor}", field="contributor"))
    if request.organisation_id and uow.organisations.get(request.organisation_id) is None:
        problems.append(Problem(f"no organisation {request.organisation_id}", field="organisation"))
    if request.member:
        user = uow.users.get(request.member)
        if user is None or not user.active:
            problems.append(Problem(f"'{request.member}' is not an active user", field="member"))
    return problems


def set_suspended(
    rt: Runtime, label: str, *, suspended: bool, reason: str, committee: str = DEFAULT_COMMITTEE
) -> SeatView:
    """Suspend a seat (or lift the suspension) by decision, with the reason audited."""
    rt.require(Permission.APPROVE)
    if not reason.strip():
        raise InvalidInput("say why", [Problem("required", field="reason")])
    with rt.uow() as uow:
        seat = _seat(uow, committee, label)
        uow.committees.set_suspended(seat["id"], suspended)
        AuditWriter(uow, rt.actor).record(
            "committee.seat_suspended" if suspended else "committee.seat_restored",
            "committee",
            committee,
            {"seat": label, "reason": reason.strip()},
        )
        uow.commit()
    return next(s for s in seats(rt, committee=committee) if s.label == label)


def _seat(uow: UnitOfWork, committee: str, label: str) -> dict[str, Any]:
    for seat in uow.committees.seats(committee):
        if seat["label"] == label:
            return seat
    raise NotFound(f"committee {committee} has no seat '{label}'")


def _weights(uow: UnitOfWork) -> dict[str, Decimal]:
    return {k: p.received for k, p in contributor_positions(uow.ledger.list()).items()}


def _standing(
    uow: UnitOfWork, seat: dict[str, Any], on: date, recused: set[int]
) -> tuple[SeatStanding, list[str]]:
    if seat["suspended"]:
        return SeatStanding.SUSPENDED, ["suspended by decision"]
    if seat["side"] == Side.RUSSIAN.value:
        org = uow.organisations.get(seat["organisation_id"])
        vetting = org.vetting if org else None
        if vetting is None or not vetting.approved_at(on):
            return SeatStanding.SUSPENDED, [f"vetting: {w}" for w in why_not_approved(vetting, on)]
    if seat["id"] in recused:
        return SeatStanding.RECUSED, ["declared a conflict on this item"]
    return SeatStanding.ACTIVE, []


def _views(
    uow: UnitOfWork, committee: str, on: date, recused: set[int] | None = None
) -> list[tuple[dict[str, Any], SeatView]]:
    weights = _weights(uow)
    currency = fund_currency(uow)
    out = []
    for seat in uow.committees.seats(committee):
        standing, why = _standing(uow, seat, on, recused or set())
        donor = seat["side"] == Side.DONOR.value
        weight = weights.get(seat["contributor"], Decimal(0)) if donor else Decimal(1)
        view = SeatView(
            label=seat["label"],
            label_ru=seat["label_ru"],
            side=Side(seat["side"]),
            weight=weight,
            standing=standing,
            why=why,
            contributor=seat["contributor"],
            organisation_id=seat["organisation_id"],
            member=seat["member"],
            currency=currency,
        )
        out.append((seat, view))
    return out


def seats(
    rt: Runtime, *, committee: str = DEFAULT_COMMITTEE, on: date | None = None
) -> list[SeatView]:
    """Every seat with its weight and whether it stands on ``on`` (today by default)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return [view for _, view in _views(uow, committee, on or _today())]


class ItemRequest(BaseModel):
    kind: ItemKind
    title: Title
    title_ru: Title = ""
    projects: list[str] = []
    run_id: Id | None = None


def open_item(rt: Runtime, request: ItemRequest, *, committee: str = DEFAULT_COMMITTEE) -> ItemView:
    """Put a question to the committee: proposals for appraisal, or a portfolio run to
    approve (with the selection approved: the run's own unless ``projects`` says)."""
    rt.require(Permission.APPROVE)
    with rt.uow() as uow:
        _rule(uow, committee)
        projects = _item_projects(uow, request)
        values = {
            "committee": committee,
            "kind": request.kind.value,
            "title": request.title.strip(),
            "title_ru": request.title_ru.strip(),
            "projects": projects,
            "run_id": request.run_id,
            "status": "open",
            "opened_by": rt.actor,
            "opened_at": datetime.now(UTC),
        }
        item_id = uow.committees.add_item(values)
        AuditWriter(uow, rt.actor).record(
            "committee.item_opened",
            "committee_item",
            str(item_id),
            {"kind": request.kind.value, "projects": projects, "run": request.run_id},
        )
        item = _item(uow, item_id)
        uow.commit()
    return item


def _item_projects(uow: UnitOfWork, request: ItemRequest) -> list[str]:
    problems = []
    if not request.title.strip():
        problems.append(Problem("required", field="title"))
    projects = list(dict.fromkeys(request.projects))
    if request.kind is ItemKind.PORTFOLIO:
        record = uow.decisions.get(request.run_id) if request.run_id else None
        if record is None or record.kind != "portfolio":
            problems.append(Problem(f"no portfolio run '{request.run_id}'", field="run"))
        elif not projects:
            projects = list(record.result.get("selected", []))
    elif not projects:
        problems.append(Problem("name at least one proposal", field="projects"))
    unknown = [p for p in projects if uow.projects.get(p) is None]
    problems += [Problem(f"no project '{p}'", field="projects") for p in unknown]
    if problems:
        raise InvalidInput("committee item not opened", problems)
    return projects


def _item(uow: UnitOfWork, item_id: int) -> ItemView:
    found = uow.committees.get_item(item_id)
    if found is None:
        raise NotFound(f"no committee item {item_id}")
    return ItemView(**{k: v for k, v in found.items() if k != "opened_by"})


def items(
    rt: Runtime, *, committee: str = DEFAULT_COMMITTEE, status: str | None = None
) -> list[ItemView]:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return [
            ItemView(**{k: v for k, v in i.items() if k != "opened_by"})
            for i in uow.committees.items(committee, status=status)
        ]


def _may_act_for(rt: Runtime, seat: dict[str, Any]) -> None:
    """A signed-in member acts only for the seat they hold; the console for any."""
    who = rt.principal
    if who is None or who.user is None:
        return
    if seat["member"] != who.user.username:
        raise Forbidden(f"you do not hold seat {seat['label']}")


def declare_conflict(rt: Runtime, item_id: int, label: str, *, reason: str) -> ItemView:
    """Recuse a seat from one item; the declaration cannot be withdrawn."""
    rt.require(Permission.VOTE)
    if not reason.strip():
        raise InvalidInput("say what the conflict is", [Problem("required", field="reason")])
    with rt.uow(write=True) as uow:
        item = _open_item(uow, item_id)
        seat = _seat(uow, item.committee, label)
        _may_act_for(rt, seat)
        if any(v["seat_id"] == seat["id"] for v in uow.committees.votes(item_id)):
            raise Conflict(f"seat {label} has already voted on item {item_id}")
        if seat["id"] in uow.committees.conflicts(item_id):
            raise Conflict(f"seat {label} has already declared a conflict on item {item_id}")
        uow.committees.add_conflict(item_id, seat["id"], reason.strip(), datetime.now(UTC))
        AuditWriter(uow, rt.actor).record(
            "committee.conflict_declared", "committee_item", str(item_id), {"seat": label}
        )
        uow.commit()
    return item


def _open_item(uow: UnitOfWork, item_id: int) -> ItemView:
    item = _item(uow, item_id)
    if item.status != "open":
        raise Conflict(f"item {item_id} is {item.status}: it takes no more votes")
    return item


def cast_vote(
    rt: Runtime, item_id: int, label: str, vote: str, *, on: date | None = None
) -> VoteLine:
    """One seat's vote on an open item: refused from a suspended or recused seat, twice
    from the same seat, or for a seat the member does not hold. Nothing stored then."""
    rt.require(Permission.VOTE)
    choice = _vote(vote)
    with rt.uow(write=True) as uow:
        item = _open_item(uow, item_id)
        recused = set(uow.committees.conflicts(item_id))
        views = {
            s["label"]: (s, v) for s, v in _views(uow, item.committee, on or _today(), recused)
        }
        if label not in views:
            raise NotFound(f"committee {item.committee} has no seat '{label}'")
        seat, view = views[label]
        _may_act_for(rt, seat)
        if view.standing is not SeatStanding.ACTIVE:
            raise Conflict(
                f"seat {label} is {view.standing.value} and cannot vote on item {item_id}: "
                + "; ".join(view.why),
                [Problem(w, field="seat") for w in view.why],
            )
        try:
            uow.committees.add_vote(
                {
                    "item_id": item_id,
                    "seat_id": seat["id"],
                    "vote": choice.value,
                    "cast_by": rt.actor,
                    "cast_at": datetime.now(UTC),
                }
            )
            uow.flush()
        except IntegrityError:
            raise Conflict(f"seat {label} has already voted on item {item_id}") from None
        AuditWriter(uow, rt.actor).record(
            "committee.vote_cast",
            "committee_item",
            str(item_id),
            {"seat": label, "vote": choice.value},
        )
        uow.commit()
    return VoteLine(
        seat=label,
        seat_ru=view.label_ru,
        side=view.side,
        weight=view.weight,
        standing=view.standing,
        vote=choice,
    )


def _vote(value: str) -> Vote:
    try:
        return Vote(value.strip().lower())
    except ValueError:
        raise InvalidInput(
            "unknown vote", [Problem(f"'{value}': choose yes, no or abstain", field="vote")]
        ) from None


def count(uow: UnitOfWork, item: ItemView, on: date) -> tuple[list[VoteLine], Tally]:
    """The votes by seat as they stand and the tally the committee's rule gives."""
    rule = _rule(uow, item.committee)
    recused = set(uow.committees.conflicts(item.id))
    cast = {v["seat_id"]: Vote(v["vote"]) for v in uow.committees.votes(item.id)}
    lines = []
    for seat, view in _views(uow, item.committee, on, recused):
        vote = cast.get(seat["id"]) if view.standing is SeatStanding.ACTIVE else None
        lines.append(
            VoteLine(
                seat=view.label,
                seat_ru=view.label_ru,
                side=view.side,
                weight=view.weight,
                standing=view.standing,
                vote=vote,
            )
        )
    seat_votes = [
        SeatVote(label=v.seat, side=v.side, weight=v.weight, standing=v.standing, vote=v.vote)
        for v in lines
    ]
    return lines, tally(seat_votes, rule, weight_words=weight_words(fund_currency(uow)))
