"""``pfund init`` and ``pfund demo``: set up a store and show what is in it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pfund.cli.common import (
    JsonOption,
    console,
    money,
    print_json,
    runtime,
    settings_of,
    working,
)
from pfund.cli.portfolio_cmds import print_portfolio
from pfund.cli.report_cmds import write_board
from pfund.cli.scorecard_cmds import print_evaluation
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo import load_demo
from pfund.services.demo_agreements import AgreementSample, agreements_sample
from pfund.services.demo_committee import CommitteeSample
from pfund.services.demo_companies import CompanySample, company_sample
from pfund.services.demo_donors import DonorSample, run_donor_sample
from pfund.services.demo_grievances import load_sample_grievances
from pfund.services.demo_loop import DemoLoop, run_results_loop
from pfund.services.instruments import Instruments, list_instruments
from pfund.services.licences import LicenceSample, licence_sample
from pfund.services.portfolio import run_portfolio
from pfund.services.results import framework_counts
from pfund.services.scorecard import evaluate
from pfund.services.setup import init_fund
from pfund.services.summary import FundSummary
from pfund.web.counts import counted


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)


def init(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Create the database schema and load the fund's reference data.

    Also creates the installation's keys file (cookie secret, audit key, data key; mode
    600) when none exists at PFUND_KEYS_FILE.
    """
    keys_file = settings_of(ctx).keys_file
    new_keys = not keys_file.exists()
    with runtime(ctx, create=True) as rt:
        result = init_fund(rt)
    if as_json:
        print_json(result.model_dump() | {"keys_file": str(keys_file), "keys_created": new_keys})
        return
    if new_keys:
        console.print(
            f"Created the keys file {keys_file} (mode 600): keep a copy apart from the "
            "database; without it protected fields and the audit chain cannot be read."
        )
    verb = "Initialised" if result.created else "Already initialised:"
    console.print(
        f"{verb} {result.fund}: {result.areas} areas, {result.regions} regions, "
        f"{result.contributors} contributors, {result.conditions} conditions, "
        f"{result.stages} stages."
    )


def demo(
    ctx: typer.Context,
    report_dir: Annotated[
        Path, typer.Option("--report-dir", help="Where to write the board report.")
    ] = Path("pfund-report"),
    report: Annotated[bool, typer.Option(help="Choose the portfolio and write the report.")] = True,
    loop: Annotated[
        bool,
        typer.Option(
            help="Then approve it and run the results loop: reports, a verified sample, "
            "a tranche paid on its verified result."
        ),
    ] = True,
    as_json: bool = JsonOption,
) -> None:
    """Load the sample fund, print its summary, choose its portfolio and write the report;
    then (unless --no-loop) approve the portfolio and run the results loop on it."""
    out: dict[str, object] = {}
    with runtime(ctx, create=True) as rt:
        with working("Loading the sample fund...", quiet=as_json):
            out["summary"] = summary = load_demo(rt)
        if not as_json:
            print_summary(summary)
            framework = framework_counts(rt)
            console.print(
                f"Results: {counted(framework.indicators, 'indicators')} for "
                f"{counted(framework.projects, 'projects')} (`pfund results show TRN-M11-03`).",
                highlight=False,
            )
        out["companies"] = companies = company_sample(rt)
        if not as_json:
            print_companies(companies)
        out["conditions"] = evaluation = evaluate(rt)  # from indicators; stores nothing
        if not as_json:
            console.rule("[bold]Conditions checked against public indicators")
            print_evaluation(evaluation)
            console.print("Scorecard: `pfund conditions scorecard`, /scorecard on the portal.")
        if report:
            with working("Appraising and choosing the portfolio...", quiet=as_json):
                pa = appraise_pipeline(load_inputs(rt))
                out["portfolio"] = portfolio = run_portfolio(rt, pa)[0]
            if not as_json:
                print_portfolio(portfolio)
            if loop and summary.envelope_year is not None:
                with working(
                    "Committee deciding, approving, reporting, verifying, paying by results...",
                    quiet=as_json,
                ):
                    out["loop"] = done = run_results_loop(
                        rt, portfolio.record_id, year=summary.envelope_year
                    )
                out["committee"] = done.committee
                if not as_json:
                    if done.committee is not None:
                        print_committee(done.committee)
                    print_loop(done)
                kept = {done.project} | ({done.loan.project} if done.loan else set())
                out["grievances"] = sample = load_sample_grievances(rt, skip=kept)
                if sample and not as_json:
                    console.print(
                        f"Grievances (illustrative): {sample.holding} holds the tranches of "
                        f"{sample.held_project} while it is reviewed; {sample.lifted} held "
                        "money until its remedy (`pfund grievances list`, /grievances/statistics).",
                        highlight=False,
                    )
                held = {sample.held_project} if sample else set()
                out["agreements"] = signed = agreements_sample(
                    rt, paid_project=done.project, skip=held
                )
                if signed and not as_json:
                    print_agreements(signed)
            elif not as_json:
                console.print(
                    "To approve it, record the members' contributions first: "
                    f"`pfund fund contributions --year {summary.envelope_year} --received`, "
                    f"then `pfund portfolio approve {portfolio.record_id}`.",
                    highlight=False,
                )
            out["licences"] = licences = licence_sample(rt)
            if not as_json:
                print_licences(licences)
            out["donors"] = donors = run_donor_sample(rt, portfolio.record_id)
            if donors is not None and not as_json:
                print_donors(donors)
            out["instruments"] = instruments = list_instruments(rt)
            if not as_json:
                print_instruments(instruments)
            with working("Writing the board report (frontier, robustness)...", quiet=as_json):
                english, russian = write_board(rt, pa, portfolio.record_id, report_dir)
            out["report"] = str(english)
            if not as_json:
                console.print(f"Board report: {english} (in Russian: {russian})")
    if as_json:
        print_json(out)


def print_agreements(sample: AgreementSample) -> None:
    """The sample agreements: signed, one amended, one cancelled, one refunded."""
    cur = sample.currency
    refund = f"; {sample.refunded} refunded {cur} {sample.refund:,.2f}" if sample.refunded else ""
    console.print(
        f"Grant agreements: {', '.join(sample.signed)} signed; {sample.amended} amended "
        f"and extended; {sample.cancelled} cancelled, {cur} {sample.decommitted:,.2f} "
        f"decommitted to the fund balance{refund} (`pfund agreements`, page /staff/agreements).",
        highlight=False,
    )


def print_companies(sample: CompanySample) -> None:
    """The companies' return: the lists imported, the pipeline, the relief phases' gate."""
    stages = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in sample.by_stage.items() if n)
    phases = "; ".join(f"phase {p} unlocks {n}" for p, n in sample.phases.items())
    console.print(
        f"Companies' return (illustrative): {sample.companies} companies from "
        f"{len(sample.lists)} tracker lists, {sample.in_pipeline} in the return pipeline "
        f"({stages}); sanctions relief {phases} (`pfund companies pipeline`, "
        "`pfund companies stages`, /companies, /staff/companies).",
        highlight=False,
    )
    if sample.company and sample.refused:
        console.print(
            f"{sample.company} cannot be marked returning yet: {sample.refused} "
            f"(`pfund companies move {sample.company} returning`).",
            highlight=False,
            markup=False,
        )


def print_donors(sample: DonorSample) -> None:
    """The donor agreements: currencies, receipts (late, partial, converted), the earmark
    as the optimiser met it, and one donor's report."""
    late = sum(v.late for v in sample.agreements)
    console.print(
        f"Donor agreements (illustrative): {len(sample.agreements)} in "
        f"{', '.join(sample.currencies)}; {sample.booked} receipts booked, {late} "
        f"instalments late (`pfund donors list`, `pfund donors show DA-0002`, /donors).",
        highlight=False,
    )
    for use in sample.earmark_use:
        state = "binding" if use.binding else "not binding"
        console.print(
            f"Earmark {use.earmark} in {use.year}: spending it cannot fund at most "
            f"{use.cap / 1e6:,.1f} m, used {use.spent / 1e6:,.1f} m ({state}).",
            highlight=False,
        )
    if sample.report_of is not None:
        console.print(
            f"Donor report {sample.report_of}: funding {sample.projects} projects with "
            f"{money(sample.attributed or Decimal(0), sample.fund_currency)}, held "
            f"{money(sample.held or Decimal(0), sample.fund_currency)} "
            f"(`pfund donors report {sample.report_of}`).",
            highlight=False,
        )


def print_instruments(found: Instruments) -> None:
    """The sample loan and guarantee, and what the optimiser counted for each."""
    for v in found.loans:
        t, cur = v.terms, v.terms.currency
        console.print(
            f"Loan (illustrative): {t.project_id} borrows {money(t.principal, cur)} at "
            f"{t.annual_rate:%}; grant element {v.grant_element:.2%} at the DAC rate "
            f"{v.discount_rate:%}, so the optimiser counts its grant-equivalent, "
            f"{money(v.grant_equivalent, cur)}; paid out {money(v.disbursed, cur)}, "
            f"principal repaid {money(v.principal_repaid, cur)}, interest received "
            f"{money(v.interest_received, cur)} (`pfund loans schedule {t.project_id}`, "
            "page /staff/loans).",
            highlight=False,
        )
    for g in found.guarantees:
        cur = g.terms.currency
        console.print(
            f"Guarantee (illustrative): {g.terms.project_id}'s lenders are covered for "
            f"{money(g.terms.exposure, cur)}; the optimiser counts its expected cost, "
            f"{money(g.expected_cost, cur)} (`pfund guarantees show {g.terms.project_id}`).",
            highlight=False,
        )


def print_licences(sample: LicenceSample) -> None:
    """The sanctions licences: the register and the gate's rule on one tranche."""
    soon = f"; ending within the warning: {', '.join(sample.expiring)}" if sample.expiring else ""
    console.print(
        f"Sanctions licences (illustrative): {sample.recorded} recorded for payments to "
        f"{', '.join(sample.jurisdictions) or 'no sanctioned jurisdiction'}{soon} "
        "(`pfund licences list`, page /staff/licences).",
        highlight=False,
    )
    if sample.tranche is None:
        return
    used = ", ".join(f"{party} under {lic}" for party, lic in sorted(sample.used.items()))
    more = len(sample.reasons) - 1
    also = f" (and {more} more counterpart{'ies' if more > 1 else 'y'})" if more > 0 else ""
    console.print(
        f"Tranche {sample.tranche} is paid on {sample.paid_on} to {used}; on "
        f"{sample.refused_on} the gate would refuse it: {sample.reasons[0]}{also} "
        f"(`pfund licences check {sample.tranche} --on {sample.refused_on}`).",
        highlight=False,
        markup=False,
    )


def print_committee(sample: CommitteeSample) -> None:
    """The joint committee's two sample decisions, with the cost of its departure."""
    lost = "-" if sample.value_lost is None else f"{sample.value_lost:.3f}"
    console.print(
        f"Joint committee: {sample.appraisal_record} identified proposals for appraisal; "
        f"{sample.portfolio_record} approved the run without {', '.join(sample.dropped)}, "
        f"a departure from the optimiser that costs {lost} of value "
        "(`pfund committee tally 2`, page /committee).",
        highlight=False,
    )


def print_loop(d: DemoLoop) -> None:
    """The results loop in a few lines, with the commands that show each step."""
    v = d.verification
    console.rule("[bold]Results loop")
    console.print(
        f"Portfolio {d.approved} approved"
        + (f" as the committee decided ({d.committee.portfolio_record})" if d.committee else "")
        + f"; {len(d.reports)} projects under way reported "
        f"their first period. {v.report} lists its units; verification {v.verification} "
        f"recounted {v.sample_size} of them: factor {v.factor:.3f} ({v.confidence:.0%} "
        f"interval {v.lower:.3f} to {v.upper:.3f}), verified {v.verified_total:,.1f} of "
        f"{v.reported_total:,.1f} {v.indicator}; LQAS "
        f"{'accepted' if v.lqas_accepted else 'rejected'}.",
        highlight=False,
        markup=False,
    )
    console.print(
        f"Tranche {d.tranche} ({money(d.tranche_amount, d.currency)}), linked to "
        f"{v.indicator} by a scalable formula, paid {money(d.paid, d.currency)} on the "
        "verified value through the ledger.",
        highlight=False,
        markup=False,
    )
    loan = d.loan
    if loan is not None:
        cur = loan.currency
        console.print(
            f"Loan {loan.project}: tranche {loan.tranche} paid {money(loan.disbursed, cur)} "
            f"to the borrower; the borrower repaid {money(loan.repaid, cur)}, "
            + (
                "its first scheduled instalment"
                if loan.instalments == 1
                else f"its first {loan.instalments} scheduled instalments"
            )
            + f" (interest {money(loan.interest, cur)}, "
            f"principal {money(loan.principal, cur)}); {money(loan.outstanding, cur)} "
            f"outstanding (`pfund loans schedule {loan.project}`).",
            highlight=False,
            markup=False,
        )
    h = d.history
    if h is not None:
        hv = h.verification
        console.print(
            f"History: {len(h.completed)} completed projects imported with their outturns "
            f"({h.outturns} years of realised cost) and {len(h.reports)} reports; "
            f"verification {hv.verification} of {hv.report}: factor {hv.factor:.3f}. "
            f"See `pfund results expost` and `pfund results show {h.completed[0]}`.",
            highlight=False,
            markup=False,
        )
    console.print(
        "See it: `pfund results payments`, "
        f"`pfund results show {d.project}`, "
        "`pfund serve` then /staff/verification and /staff/results/payments.",
        highlight=False,
        markup=False,
    )


def print_summary(s: FundSummary) -> None:
    console.rule(f"[bold]{s.fund}")
    console.print(
        f"{s.projects} projects in {len([a for a in s.by_area if a.projects])} areas and "
        f"{s.regions_covered} of {s.regions_total} regions; likely cost "
        f"{money(s.likely_cost_total, s.currency)}."
    )
    console.print(
        f"{s.contributors} contributors paying their share of {s.envelope_year} GDP: "
        f"{money(s.annual_envelope, s.currency)} a year."
    )
    table = Table("area", "projects", "likely cost", title="Pipeline by area")
    for line in s.by_area:
        table.add_row(line.name, str(line.projects), money(line.likely_cost, s.currency))
    console.print(table)
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in s.organisations_by_kind.items())
    console.print(f"{s.organisations} organisations ({kinds}); {s.people} protected contacts.")
    stages = ", ".join(f"stage {k}: {v}" for k, v in s.by_stage.items())
    console.print(f"Projects by conditions stage: {stages}.")
    console.print(f"Audit log: {s.audit_events} events.  Next: `pfund projects list`.")
