"""Reading an indicator data set (CSV) and a fund's condition rules (YAML), every problem located.

An indicator file has one published figure a row::

    area,indicator,year,value,category,source,licence
    RU,v2x_polyarchy,2023,0.10,,V-Dem v14 (illustrative),CC BY-SA 4.0
    RU,freedom_status,2024,,Not Free,Freedom in the World 2024 (illustrative),FH terms

``area`` is a country (ISO 3166-1 alpha-2) or one of the fund's regions (ISO 3166-2);
``value`` is a number, or empty with the figure in ``category``. A row naming an unknown
area, the same area, indicator and year as an earlier row, or a value that is not a
number is refused, with the file, row and field; nothing is stored unless the whole
file is clean. The file's version is the SHA-256 of its bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pycountry
from pydantic import ValidationError

from pfund.domain import Condition
from pfund.domain.fund import Verifier
from pfund.domain.scorecard import IndicatorValue, RulesFile
from pfund.errors import InvalidInput, Problem
from pfund.io.files import Record, load_yaml, read_records, read_text

COLUMNS = ("area", "indicator", "year", "value", "source", "licence")


def content_hash(path: Path) -> str:
    """The SHA-256 of the file's bytes: its version."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def known_countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code pycountry ships."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


def read_indicator_file(path: Path, regions: Collection[str]) -> list[IndicatorValue]:
    """The file's figures, or ``InvalidInput`` listing every problem (nothing is kept)."""
    if path.suffix.lower() != ".csv":
        reason = f"an indicator data set is a CSV file, not '{path.suffix or 'no suffix'}'"
        raise InvalidInput(f"cannot read {path.name}", [Problem(reason, file=path.name)])
    records = read_records(path, key="indicators")
    problems: list[Problem] = []
    areas = known_countries() | frozenset(regions)
    values: list[IndicatorValue] = []
    first_row: dict[tuple[str, str, int], int] = {}
    for record in records:
        value = _row(record, areas, problems)
        if value is None:
            continue
        key = (value.area, value.indicator, value.year)
        if key in first_row:
            reason = (
                f"{value.indicator} for {value.area} in {value.year} is given twice "
                f"(first on row {first_row[key]})"
            )
            problems.append(Problem(reason, record.file, record.row, "year"))
            continue
        first_row[key] = record.row
        values.append(value)
    if not records:
        problems.append(Problem("the file holds no figures", file=path.name))
    if problems:
        count = len(problems)
        raise InvalidInput(
            f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
            problems,
        )
    return values


def _row(record: Record, areas: frozenset[str], problems: list[Problem]) -> IndicatorValue | None:
    data = {k: str(v or "").strip() for k, v in record.data.items()}
    before = len(problems)
    for column in COLUMNS:
        if column not in data:
            problems.append(Problem("is a required column", record.file, record.row, column))
    if len(problems) > before:
        return None
    area = data["area"]
    if area not in areas:
        reason = (
            f"unknown country or region '{area}': use an ISO 3166-1 alpha-2 country code "
            "(RU, UA, ...) or one of the fund's regions (RU-MOW, ...)"
        )
        problems.append(Problem(reason, record.file, record.row, "area"))
    number = _number(record, data["value"], problems)
    year = _year(record, data["year"], problems)
    if len(problems) > before:
        return None
    try:
        return IndicatorValue(
            area=area,
            indicator=data["indicator"],
            year=year,
            value=number,
            category=data.get("category", ""),
            source=data["source"],
            licence=data["licence"],
        )
    except ValidationError as err:
        for e in err.errors():
            fld = str(e["loc"][0]) if e["loc"] else "value"
            reason = str(e["msg"]).removeprefix("Value error, ")
            problems.append(Problem(reason, record.file, record.row, fld))
        return None


def _number(record: Record, text: str, problems: list[Problem]) -> Decimal | None:
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is not None and len(str(number)) > 40:
        reason = f"'{text[:50]}' has more than 40 digits; round it"
        problems.append(Problem(reason, record.file, record.row, "value"))
        return None
    if number is None or not number.is_finite():
        reason = f"'{text}' is not a number; a category (such as 'Free') goes in 'category'"
        problems.append(Problem(reason, record.file, record.row, "value"))
        return None
    return number


def _year(record: Record, text: str, problems: list[Problem]) -> int:
    if text.isdigit():
        return int(text)
    problems.append(Problem(f"'{text}' is not a year", record.file, record.row, "year"))
    return 0


def read_rules(
    path: Path, conditions: Collection[Condition], verifiers: Collection[Verifier]
) -> RulesFile:
    """The fund's condition rules, each naming a known condition once and a registered
    verifier (by default the first its condition's protocol names)."""
    name = path.name
    try:
        rules = RulesFile.model_validate(load_yaml(read_text(path)) or {})
    except ValidationError as err:
        problems = [
            Problem(
                str(e["msg"]).removeprefix("Value error, "),
                file=name,
                field=".".join(str(p) for p in e["loc"]),
            )
            for e in err.errors()
        ]
        raise InvalidInput(f"cannot read the condition rules in {name}", problems) from None
    by_code = {c.code: c for c in conditions}
    registered = {v.code for v in verifiers}
    problems, seen, filled = [], set(), []
    for i, rule in enumerate(rules.rules):
        where = f"rules.{i}"
        condition = by_code.get(rule.condition)
        if condition is None:
            known = ", ".join(sorted(by_code))
            reason = f"no condition '{rule.condition}' (known: {known})"
            problems.append(Problem(reason, file=name, field=f"{where}.condition"))
            continue
        if rule.condition in seen:
            reason = f"condition '{rule.condition}' has a second rule; give it one"
            problems.append(Problem(reason, file=name, field=f"{where}.condition"))
        seen.add(rule.condition)
        verifier = rule.verifier or next(iter(condition.protocol.verifier_codes), "")
        if verifier not in registered:
            reason = f"'{verifier}' is not a registered verifier (see fund.yaml 'verifiers')"
            problems.append(Problem(reason, file=name, field=f"{where}.verifier"))
        filled.append(rule.model_copy(update={"verifier": verifier}))
    if problems:
        raise InvalidInput(f"cannot use the condition rules in {name}", problems)
    return rules.model_copy(update={"rules": filled})
