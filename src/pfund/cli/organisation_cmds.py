"""``pfund organisations list|show``: partners, companies and democratic-forces groups."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, handled, print_json, runtime, words
from pfund.domain import Organisation, ProtectionClass
from pfund.domain.enums import VettingCriterion
from pfund.domain.organisation import VettingChecklist
from pfund.domain.protection import view
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.services.outreach import log_outreach, outreach_log
from pfund.services.vetting import (
    approve,
    set_company_status,
    set_criterion,
    vetting_status,
    why_not_approved,
)

app = typer.Typer(
    help="List and show organisations; vet groups, log outreach, set company status.",
    no_args_is_help=True,
)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option(help="ngo, university, company, public_body or democratic_forces."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Organisations with kind, country, areas, and a company's or group's standing."""
    with runtime(ctx) as rt, rt.uow() as uow:
        orgs = uow.organisations.list(kind=kind)
    if as_json:
        print_json([view(o, audience=ProtectionClass.INTERNAL) for o in orgs])
        return
    table = Table("id", "name", "kind", "country", "areas", "standing")
    for o in orgs:
        table.add_row(
            o.id, o.public_name(), words(o.kind), o.country, ", ".join(o.areas), _standing(o)
        )
    console.print(table)
    console.print(f"{len(orgs)} organisations. Names partners asked to protect show as aliases.")


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The organisation's id.")],
    as_json: bool = JsonOption,
) -> None:
    """One organisation, staff view: protected fields are never shown."""
    with runtime(ctx) as rt, rt.uow() as uow:
        org = uow.organisations.get(org_id)
    if org is None:
        with handled():
            raise NotFound(f"no organisation with id '{org_id}'")
    data = view(org, audience=ProtectionClass.INTERNAL)
    if as_json:
        print_json(data)
        return
    console.rule(f"[bold]{org.id}[/]  {org.public_name()}")
    for key, value in data.items():
        if key not in ("vetting", "company") and value not in (None, "", [], {}):
            console.print(f"{key.replace('_', ' ')}: {words(value)}", markup=False)
    if org.company is not None:
        c = org.company
        home = f"; home country {c.home_country}" if c.home_country else ""
        console.print(
            f"company: Russia status {words(c.russia_status)}; "
            f"re-engagement {words(c.reengagement)}{home}",
            markup=False,
        )
    if org.vetting is not None:
        _print_vetting(org.vetting)
    console.print(f"standing: {_standing(org)}", markup=False)


def _print_vetting(vetting: VettingChecklist) -> None:
    """Each criterion in words: met or not (and when), or not judged; reviewers never."""
    judged = {i.criterion: i for i in vetting.items}
    console.print("vetting:")
    for criterion in VettingCriterion:
        item = judged.get(criterion)
        if item is None or item.met is None:
            console.print(f"  {criterion.value}: not judged", markup=False)
            continue
        state = "met" if item.met else "not met"
        when = f", judged on {item.checked_on.isoformat()}" if item.checked_on else ""
        evidence = f": {item.evidence}" if item.evidence else ""
        console.print(f"  {criterion.value}: {state}{when}{evidence}", markup=False)
    if vetting.approved_on is not None:
        until = f" until {vetting.valid_until.isoformat()}" if vetting.valid_until else ""
        console.print(f"  approved on {vetting.approved_on.isoformat()}{until}", markup=False)


def _standing(o: Organisation) -> str:
    if o.company is not None:
        return f"{words(o.company.russia_status)}; {words(o.company.reengagement)}"
    if o.vetting is not None:
        today = date.today()
        if o.vetting.approved_at(today):
            return "vetted, approved"
        return "vetting not approved: " + "; ".join(why_not_approved(o.vetting, today))
    return ""


OnOption = typer.Option(None, "--on", help="The day (YYYY-MM-DD; default today).")


def _day(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "bad date", [Problem(f"'{value}' is not YYYY-MM-DD", field="on")]
        ) from None


@app.command("vet")
def vet_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The democratic-forces group's id.")],
    criterion: Annotated[str | None, typer.Option(help="A PACE platform criterion.")] = None,
    met: Annotated[
        bool | None, typer.Option("--met/--not-met", help="Whether it is met (required).")
    ] = None,
    evidence: Annotated[str, typer.Option(help="What shows it.")] = "",
    reviewer: Annotated[str, typer.Option(help="Who judged it (kept protected).")] = "",
    approve_: Annotated[
        bool, typer.Option("--approve", help="Approve the group (every criterion met).")
    ] = False,
    valid_days: Annotated[int, typer.Option(help="How long an approval holds.")] = 365,
    on: str | None = OnOption,
    as_json: bool = JsonOption,
) -> None:
    """Show a group's vetting; judge one criterion; or approve it for a set period."""
    with runtime(ctx) as rt:
        day = _day(on)
        if criterion is not None:
            if met is None:
                raise InvalidInput(
                    f"say whether '{criterion}' is met",
                    [Problem("give --met or --not-met", field="met")],
                )
            view_ = set_criterion(
                rt, org_id, criterion, met=met, evidence=evidence, reviewer=reviewer, on=day
            )
        if approve_:
            view_ = approve(rt, org_id, on=day, valid_days=valid_days)
        if criterion is None and not approve_:
            view_ = vetting_status(rt, org_id, on=day)
    if as_json:
        print_json(view_)
        return
    if view_.approved:
        console.print(f"{view_.organisation}: approved until {view_.valid_until} (on {day}).")
    else:
        console.print(
            f"{view_.organisation}: not approved on {day}: {'; '.join(view_.reasons)}.",
            markup=False,
        )
    if view_.not_met:
        console.print(f"Not met: {', '.join(view_.not_met)}", markup=False)
    if view_.not_judged:
        console.print(f"Not judged: {', '.join(view_.not_judged)}", markup=False)


@app.command("outreach")
def outreach_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The organisation's id (any kind).")],
    channel: Annotated[str | None, typer.Option(help="email, call, meeting, letter...")] = None,
    staff: Annotated[str, typer.Option(help="The staff member who reached out.")] = "",
    outcome: Annotated[
        str, typer.Option(help="no_reply, interested, meeting_set, declined, follow_up, committed.")
    ] = "no_reply",
    contact: Annotated[str | None, typer.Option(help="The contact's person id.")] = None,
    note: Annotated[str, typer.Option(help="A note (internal).")] = "",
    on: str | None = OnOption,
    as_json: bool = JsonOption,
) -> None:
    """Log a contact with an organisation of any kind (with --channel), or list its
    outreach log."""
    with runtime(ctx) as rt:
        if channel is not None:
            log_outreach(
                rt,
                org_id,
                on=_day(on),
                channel=channel,
                staff=staff,
                outcome=outcome,
                contact=contact,
                note=note,
            )
        entries = outreach_log(rt, org_id)
    if as_json:
        print_json(entries)
        return
    table = Table("on", "channel", "staff", "contact", "outcome", "note")
    for e in entries:
        table.add_row(
            str(e.on), e.channel, e.staff, e.contact_person_id or "", e.outcome.value, e.note
        )
    console.print(table)


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    org_id: Annotated[str, typer.Argument(help="The company's id.")],
    russia_status: Annotated[
        str,
        typer.Option(help="withdrawn, suspended, scaling_back, buying_time or digging_in."),
    ],
    reengagement: Annotated[
        str,
        typer.Option(help="not_contacted, interested, in_talks, committed or declined."),
    ],
    as_json: bool = JsonOption,
) -> None:
    """Record a company's Russia status and re-engagement."""
    with runtime(ctx) as rt:
        result = set_company_status(
            rt, org_id, russia_status=russia_status, reengagement=reengagement
        )
    if as_json:
        print_json(result)
        return
    console.print(
        f"{result.organisation}: {result.russia_status.value}; {result.reengagement.value}."
    )
