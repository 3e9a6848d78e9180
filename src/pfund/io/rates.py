"""Reading a rates file in the ECB's layout: ``Date,USD,JPY,...``, rates per euro.

The ECB publishes its euro foreign exchange reference rates as ``eurofxref-hist.csv``
(https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/):
one row per working day, one column per currency, each cell the amount of that currency
one euro buys; ``N/A`` where no rate was published for a currency that day, and a
trailing comma on every line. Everything wrong is reported at once, each problem naming
the file, row (as a spreadsheet numbers it, the header being row 1), field and reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pycountry

from pfund.domain.fx import ECB_BASE, RATE_DIGITS, ExchangeRate
from pfund.errors import InvalidInput, Problem

__all__ = ["ECB_SOURCE", "ECB_SOURCE_RU", "RatesFile", "read_ecb_rates"]

ECB_SOURCE = "ECB euro foreign exchange reference rates"
ECB_SOURCE_RU = "Справочные курсы евро Европейского центрального банка (ЕЦБ)"
NOT_PUBLISHED = "N/A"
# Columns the ECB's history keeps for currencies since replaced by the euro or redenominated
# (Cyprus, Estonia, Lithuania, Latvia, Malta, Slovenia, Slovakia, Croatia; the old lira
# and leu): no conversion can ask for them, so they are read past, not stored.
WITHDRAWN = frozenset({"CYP", "EEK", "LTL", "LVL", "MTL", "SIT", "SKK", "HRK", "TRL", "ROL"})
MAX_RATE = Decimal("1e12")


@dataclass(frozen=True)
class RatesFile:
    """The rates of one file, its sha256, and the days and currencies it covers."""

    rates: list[ExchangeRate]
    sha256: str
    source: str

    @property
    def days(self) -> list[date]:
        return sorted({r.day for r in self.rates})

    @property
    def currencies(self) -> list[str]:
        return sorted({r.quote for r in self.rates})


def read_ecb_rates(path: Path, *, source: str = ECB_SOURCE, source_ru: str = "") -> RatesFile:
    """All the rates of an ECB-layout file, or InvalidInput listing every problem."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}", [Problem(str(exc), name)]) from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not UTF-8 text", [Problem(str(exc), name)]) from exc
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # a stray carriage return or NUL inside a line
        reason = f"not a CSV file: {exc}"
        raise InvalidInput(f"{name} is not a CSV file", [Problem(reason, name)]) from exc
    header = rows[0] if rows else []
    columns, problems = _header(header, name)
    width = len([c for c in header if c.strip()]) or len(header)
    rates: list[ExchangeRate] = []
    seen: dict[date, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        rates += _row(
            row, number, (columns, width), name, (source, source_ru), digest, seen, problems
        )
    if not rates and not problems:
        problems.append(Problem("the file holds no rate", name))
    if problems:
        raise InvalidInput(f"{name}: the rates file is not valid; nothing was stored", problems)
    return RatesFile(rates=rates, sha256=digest, source=source)


def _header(header: list[str], name: str) -> tuple[dict[int, str], list[Problem]]:
    """Column index -> currency; a trailing empty column (the ECB's comma) is ignored."""
    cells = [c.strip() for c in header]
    while cells and not cells[-1]:
        cells.pop()
    if not cells or cells[0] != "Date":
        found = cells[0] if cells else "nothing"
        reason = f"the first column must be 'Date' (the ECB layout: Date,USD,JPY,...), got {found}"
        return {}, [Problem(reason, name, 1, "Date")]
    columns: dict[int, str] = {}
    problems: list[Problem] = []
    for index, code in enumerate(cells[1:], start=1):
        upper = code.upper()
        if upper in WITHDRAWN:
            continue
        if pycountry.currencies.get(alpha_3=upper) is None or len(upper) != 3:
            problems.append(Problem(f"'{code}' is not an ISO 4217 currency code", name, 1, code))
        elif upper == ECB_BASE:
            problems.append(Problem("rates are per euro; EUR has no column", name, 1, code))
        elif upper in columns.values():
            problems.append(Problem(f"{upper} has two columns", name, 1, code))
        else:
            columns[index] = upper
    if not columns and not problems:
        problems.append(Problem("the header names no currency", name, 1))
    return columns, problems


def _row(
    row: list[str],
    number: int,
    layout: tuple[dict[int, str], int],
    name: str,
    source: tuple[str, str],
    digest: str,
    seen: dict[date, int],
    problems: list[Problem],
) -> list[ExchangeRate]:
    try:
        day = date.fromisoformat(row[0].strip())
    except ValueError:
        problems.append(Problem(f"'{row[0]}' is not a date (YYYY-MM-DD)", name, number, "Date"))
        return []
    if day in seen:
        reason = f"{day} appears twice (first on row {seen[day]})"
        problems.append(Problem(reason, name, number, "Date"))
        return []
    seen[day] = number
    columns, width = layout
    extra = [c for c in row[width:] if c.strip()]
    if extra:
        reason = f"{len(extra)} value(s) beyond the last named column"
        problems.append(Problem(reason, name, number))
    out = []
    for index, currency in columns.items():
        cell = row[index].strip() if index < len(row) else ""
        rate = _rate(cell, number, currency, name, problems)
        if rate is not None:
            out.append(
                ExchangeRate(
                    base=ECB_BASE,
                    quote=currency,
                    day=day,
                    rate=rate,
                    source=source[0],
                    source_ru=source[1],
                    file_sha256=digest,
                )
            )
    return out


def _rate(
    cell: str, number: int, currency: str, name: str, problems: list[Problem]
) -> Decimal | None:
    if cell == NOT_PUBLISHED:
        return None
    if not cell:
        reason = f"no rate for {currency} (a gap; write {NOT_PUBLISHED} where none was published)"
        problems.append(Problem(reason, name, number, currency))
        return None
    try:
        rate = Decimal(cell)
    except InvalidOperation:
        problems.append(Problem(f"'{cell}' is not a number", name, number, currency))
        return None
    if not rate.is_finite() or rate <= 0 or rate > MAX_RATE or _digits(rate) > RATE_DIGITS:
        reason = f"a rate must be a positive number (units of {currency} per euro), got {cell}"
        problems.append(Problem(reason, name, number, currency))
        return None
    return rate


def _digits(rate: Decimal) -> int:
    return len(rate.normalize().as_tuple().digits)
