"""Checking a results framework file and a reports file as a whole, every problem located.

The models catch what one row gets wrong by itself (a malformed period, a missing
Russian name); the checks here need the whole file and the store: the project must
exist, an indicator's regions must be among its project's, the predicted outcome it
measures must be one the project's appraisal has and in the same unit, its target
periods inside the fund's horizon, and no indicator named twice.

A reports file (CSV, one achieved value a row: ``project,period,indicator,value,unit``
and optionally ``region``, ``note``) is grouped into one report per project and period;
each value is checked against the indicators stored for its project.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from pfund.domain import Project
from pfund.domain.results import Direction, Indicator, ReportedValue, ReportInput, check_period
from pfund.errors import Problem
from pfund.io.checks import Checked, Known, parse
from pfund.io.files import Record


def check_indicators(
    records: list[Record], known: Known, projects: Mapping[str, Project]
) -> Checked:
    """Indicators validated against their projects; ``projects`` holds those stored."""
    checked = parse(records, Indicator)
    first_row: dict[tuple[str, str], int] = {}
    for record, item in checked.items:
        key = (item.project, item.code)
        if key in first_row:
            checked.add(
                record,
                "code",
                f"indicator '{item.code}' of {item.project} is listed twice "
                f"(first on row {first_row[key]})",
            )
        first_row.setdefault(key, record.row)
        project = projects.get(item.project)
        if project is None:
            checked.add(record, "project", f"refers to unknown project '{item.project}'")
            continue
        _against_project(checked, record, item, project, known)
    return checked


def check_linked_directions(
    checked: Checked, linked: Mapping[tuple[str, str], tuple[Direction, str]]
) -> None:
    """A re-import may not turn round an indicator a tranche is paid on: ``linked`` maps
    (project, code) to its stored direction and a tranche linked to it, whose formula
    was checked in that direction (staff unlink the tranche first, as for
    ``pfund results direction``)."""
    for record, item in checked.items:
        found = linked.get((item.project, item.code))
        if found is None or found[0] is item.direction:
            continue
        stored, tranche = found
        checked.add(
            record,
            "direction",
            f"indicator '{item.code}' of {item.project} is {stored.value} and tranche "
            f"{tranche} is paid on it, so it cannot become {item.direction.value}; "
            "unlink the tranche first",
        )
    _linked_kept(checked, linked)


def _linked_kept(checked: Checked, linked: Mapping[tuple[str, str], tuple[Direction, str]]) -> None:
    """A re-import replaces a project's framework, so one that leaves out an indicator
    a tranche is paid on would leave the tranche's formula reading nothing: refused on
    the project's first row, naming the indicator and the tranche."""
    first: dict[str, Record] = {}
    given: set[tuple[str, str]] = set()
    for record, item in checked.items:
        first.setdefault(item.project, record)
        given.add((item.project, item.code))
    for (project, code), (_, tranche) in sorted(linked.items()):
        if project in first and (project, code) not in given:
            checked.add(
                first[project],
                "code",
                f"indicator '{code}' of {project} is left out, but tranche {tranche} is "
                "paid on it; keep it in the file or unlink the tranche first",
            )


def _against_project(
    checked: Checked, record: Record, item: Indicator, project: Project, known: Known
) -> None:
    for region in item.regions:
        if region not in project.regions:
            where = ", ".join(project.regions) or "none"
            checked.add(
                record,
                "regions",
                f"region '{region}' is not one of project {project.id}'s regions ({where})",
            )
    if item.outcome is not None:
        outcome = project.outcomes.get(item.outcome)
        if outcome is None:
            names = ", ".join(sorted(project.outcomes)) or "none"
            checked.add(
                record,
                "outcome",
                f"project {project.id} predicts no outcome '{item.outcome}' (it has: {names})",
            )
        elif outcome.unit and outcome.unit != item.unit:
            checked.add(
                record,
                "unit",
                f"'{item.unit}' differs from the unit of the predicted outcome "
                f"'{item.outcome}' ('{outcome.unit}'); use the same unit",
            )
    span = f"{known.first_year}-{known.last_year}"
    for period in item.targets:
        if not known.first_year <= int(period[:4]) <= known.last_year:
            checked.add(
                record,
                f"targets.{period}",
                f"period {period} is outside the fund's horizon {span}",
            )


REPORT_COLUMNS = ("project", "period", "indicator", "value", "unit")


def check_report_rows(
    records: list[Record], frameworks: Mapping[str, list[Indicator]]
) -> tuple[list[ReportInput], list[Problem]]:
    """Rows grouped by (project, period) into reports, each value checked."""
    problems: list[Problem] = []
    grouped: dict[tuple[str, str], list[tuple[Record, ReportedValue]]] = {}
    for record in records:
        row = _report_row(record, problems)
        if row is not None:
            grouped.setdefault((row[0], row[1]), []).append((record, row[2]))
    reports = []
    for (project, period), rows in grouped.items():
        try:
            report = ReportInput(project=project, period=period, values=[v for _, v in rows])
        except ValidationError as err:
            record = rows[-1][0]
            for e in err.errors():
                reason = str(e["msg"]).removeprefix("Value error, ")
                problems.append(Problem(reason, file=record.file, row=record.row))
            continue
        located = {(v.indicator, v.region): r for r, v in rows}
        for fld, reason, key in report_problems(report, frameworks.get(project, [])):
            record = located.get(key, rows[0][0])
            problems.append(Problem(reason, file=record.file, row=record.row, field=fld))
        reports.append(report)
    return reports, problems


def _report_row(record: Record, problems: list[Problem]) -> tuple[str, str, ReportedValue] | None:
    data = record.data
    missing = [c for c in REPORT_COLUMNS if not str(data.get(c) or "").strip()]
    for column in missing:
        problems.append(Problem("is required but missing", record.file, record.row, column))
    if missing:
        return None
    try:
        period = check_period(str(data["period"]))
    except ValueError as err:
        problems.append(Problem(str(err), record.file, record.row, "period"))
        return None
    try:
        value = ReportedValue(
            indicator=str(data["indicator"]).strip(),
            value=Decimal(str(data["value"]).strip()),
            unit=str(data["unit"]).strip(),
            region=str(data.get("region") or "").strip(),
            note=str(data.get("note") or "").strip(),
        )
    except (ValidationError, InvalidOperation) as err:
        reasons = (
            [(str(e["loc"][0]) if e["loc"] else "value", e["msg"]) for e in err.errors()]
            if isinstance(err, ValidationError)
            else [("value", f"'{data['value']}' is not a number")]
        )
        for fld, reason in reasons:
            problems.append(Problem(str(reason), record.file, record.row, fld))
        return None
    return str(data["project"]).strip(), period, value


def report_problems(
    report: ReportInput, framework: list[Indicator]
) -> list[tuple[str, str, tuple[str, str]]]:
    """What is wrong with a report against its project's indicators: (field, reason, key
    of the value) for an unknown indicator or period, a wrong unit, a region outside the
    indicator's disaggregation."""
    out: list[tuple[str, str, tuple[str, str]]] = []
    if not framework:
        out.append(
            ("project", f"project {report.project} has no indicators to report on", ("", ""))
        )
        return out
    by_code = {i.code: i for i in framework}
    periods = sorted({p for i in framework for p in i.targets})
    if report.period not in periods:
        out.append(
            (
                "period",
                f"project {report.project} has no target for period {report.period} "
                f"(its periods: {', '.join(periods)})",
                ("", ""),
            )
        )
    for v in report.values:
        key = (v.indicator, v.region)
        indicator = by_code.get(v.indicator)
        if indicator is None:
            codes = ", ".join(sorted(by_code))
            out.append(
                (
                    "indicator",
                    f"project {report.project} has no indicator '{v.indicator}' (it has: {codes})",
                    key,
                )
            )
            continue
        if v.unit != indicator.unit:
            out.append(
                (
                    "unit",
                    f"indicator '{v.indicator}' is measured in '{indicator.unit}', not '{v.unit}'",
                    key,
                )
            )
        if v.region and v.region not in indicator.regions:
            listed = ", ".join(indicator.regions) or "none"
            out.append(
                (
                    "region",
                    f"indicator '{v.indicator}' is not disaggregated by region "
                    f"'{v.region}' (its regions: {listed})",
                    key,
                )
            )
    return out
