"""Reading a company tracker's list: the Yale CELI layout or the KSE Institute layout.

Both trackers publish one row per company; their exports are read as CSV with a header
row (names matched without regard to case or surrounding spaces):

* **Yale CELI** ("Yale CELI List of Companies Leaving and Staying in Russia",
  https://som.yale.edu/story/2022/over-1000-companies-have-curtailed-operations-russia-some-remain):
  ``Name``, ``Grade`` (A, B, C, D or F) and/or ``Category`` (Withdrawal, Suspension,
  Scaling Back, Buying Time, Digging In); when both are given they must agree.
  Optional: ``Country`` (headquarters), ``Industry`` (GICS sector).
* **KSE Institute** ("Leave Russia", https://leave-russia.org): ``Company``, ``Status``
  (exited, exiting, waiting, staying; KSE's reports also say "unrestricted" for
  staying). Optional: ``Country``, ``Industry`` or ``Sector``.

Every status word is mapped explicitly below: a word not in the map is an error naming
file, row and field, and nothing of the file is stored. The map to Russia statuses
follows Yale's five grades; KSE's four statuses are placed on them as their definitions
read (exiting: announced and under way, as a suspension; waiting: holding off, as
buying time). Industry names the sector (GICS, as both trackers use), which gives the
company's area of cooperation and the sanctions-relief phase its return needs: the second
phase lifts capital-market and technology measures, so finance, information technology
and communication wait for it; every other sector returns with the first.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pycountry

from pfund.domain.company_return import Tracker
from pfund.domain.enums import RussiaStatus
from pfund.errors import InvalidInput, Problem

__all__ = [
    "KSE_STATUS",
    "SECTORS",
    "YALE_CATEGORY",
    "YALE_GRADE",
    "CompanyListFile",
    "ListedCompany",
    "read_company_list",
]

MAX_BYTES = 20 * 2**20
YALE_GRADE = {
    "a": RussiaStatus.WITHDRAWN,
    "b": RussiaStatus.SUSPENDED,
    "c": RussiaStatus.SCALING_BACK,
    "d": RussiaStatus.BUYING_TIME,
    "f": RussiaStatus.DIGGING_IN,
}
YALE_CATEGORY = {
    "withdrawal": RussiaStatus.WITHDRAWN,
    "suspension": RussiaStatus.SUSPENDED,
    "scaling back": RussiaStatus.SCALING_BACK,
    "buying time": RussiaStatus.BUYING_TIME,
    "digging in": RussiaStatus.DIGGING_IN,
}
KSE_STATUS = {
    "exited": RussiaStatus.WITHDRAWN,
    "exiting": RussiaStatus.SUSPENDED,
    "waiting": RussiaStatus.BUYING_TIME,
    "staying": RussiaStatus.DIGGING_IN,
    "unrestricted": RussiaStatus.DIGGING_IN,
}
# GICS sector -> (area of cooperation, sanctions-relief phase its return needs)
SECTORS: dict[str, tuple[str, int]] = {
    "energy": ("energy", 1),
    "utilities": ("energy", 1),
    "materials": ("natural_resources", 1),
    "industrials": ("transport", 1),
    "consumer staples": ("agriculture", 1),
    "consumer discretionary": ("economy", 1),
    "health care": ("health", 1),
    "real estate": ("economy", 1),
    "financials": ("economy", 2),
    "information technology": ("science", 2),
    "communication services": ("science", 2),
}
NO_SECTOR = ("economy", 1)
NAME_COLUMN = {Tracker.YALE: ("name",), Tracker.KSE: ("company",)}


@dataclass(frozen=True)
class ListedCompany:
    """One row of a list, read and mapped."""

    row: int
    name: str
    grade: str
    status: str  # the tracker's word, lower case (Yale: the category)
    russia_status: RussiaStatus
    country: str | None  # ISO alpha-2
    sector: str
    area: str
    phase: int


@dataclass(frozen=True)
class CompanyListFile:
    tracker: Tracker
    file: str
    sha256: str
    companies: list[ListedCompany]


def read_company_list(path: Path, tracker: Tracker) -> CompanyListFile:
    """Every company of a tracker's CSV, or InvalidInput naming every problem."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {name}", [Problem(str(exc), name)]) from exc
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"cannot read {name}", [Problem("file is larger than 20 MiB", name)])
    try:
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{name} is not a UTF-8 CSV file", [Problem(str(exc), name)]) from exc
    header = [c.strip().lower() for c in rows[0]] if rows else []
    columns, problems = _columns(header, tracker, name)
    companies: list[ListedCompany] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not columns or not any(cell.strip() for cell in row):
            continue
        cells = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        found = _company(cells, tracker, name, number, problems)
        if found is None:
            continue
        key = found.name.casefold()
        if key in seen:
            reason = f"'{found.name}' is listed twice (first on row {seen[key]})"
            problems.append(Problem(reason, name, number, "name"))
            continue
        seen[key] = number
        companies.append(found)
    if not companies and not problems:
        problems.append(Problem("the file lists no company", name))
    if problems:
        raise InvalidInput(f"{name}: the company list is not valid; nothing was stored", problems)
    return CompanyListFile(tracker, name, hashlib.sha256(raw).hexdigest(), companies)


def _columns(
    header: list[str], tracker: Tracker, name: str
) -> tuple[dict[str, int], list[Problem]]:
    """Field -> column index for this tracker's layout, or the problem with the header."""
    index = {cell: i for i, cell in enumerate(header) if cell}
    columns: dict[str, int] = {}
    names = [n for n in NAME_COLUMN[tracker] if n in index]
    if names:
        columns["name"] = index[names[0]]
    wanted = ("grade", "category") if tracker is Tracker.YALE else ("status",)
    for key in (*wanted, "country"):
        if key in index:
            columns[key] = index[key]
    sector = next((index[k] for k in ("industry", "sector") if k in index), None)
    if sector is not None:
        columns["sector"] = sector
    layout = (
        "Name, Grade and/or Category[, Country, Industry]"
        if tracker is Tracker.YALE
        else "Company, Status[, Country, Industry]"
    )
    problems = []
    if "name" not in columns:
        column = NAME_COLUMN[tracker][0].title()
        reason = f"no '{column}' column: the {tracker.value} layout is {layout}"
        problems.append(Problem(reason, name, 1, column))
    if not any(k in columns for k in wanted):
        reason = f"no {' or '.join(w.title() for w in wanted)} column: the layout is {layout}"
        problems.append(Problem(reason, name, 1, wanted[0].title()))
    return ({} if problems else columns), problems


def _company(
    cells: dict[str, str], tracker: Tracker, name: str, row: int, problems: list[Problem]
) -> ListedCompany | None:
    before = len(problems)
    company = cells["name"]
    if not 2 <= len(company) <= 300:
        problems.append(Problem("a company name has 2 to 300 characters", name, row, "name"))
    if tracker is Tracker.YALE:
        grade, status, russia = _yale(cells, name, row, problems)
    else:
        grade, status, russia = "", *_kse(cells, name, row, problems)
    country = _country(cells.get("country", ""), name, row, problems)
    sector = cells.get("sector", "")
    mapped = SECTORS.get(sector.lower()) if sector else NO_SECTOR
    if mapped is None:
        known = ", ".join(s.title() for s in SECTORS)
        reason = f"unknown industry '{sector}' (the GICS sectors: {known})"
        problems.append(Problem(reason, name, row, "industry"))
    if len(problems) > before or russia is None or mapped is None:
        return None
    area, phase = mapped
    return ListedCompany(row, company, grade, status, russia, country, sector, area, phase)


def _yale(
    cells: dict[str, str], name: str, row: int, problems: list[Problem]
) -> tuple[str, str, RussiaStatus | None]:
    grade = cells.get("grade", "").upper()
    category = cells.get("category", "").lower()
    by_grade = YALE_GRADE.get(grade.lower()) if grade else None
    by_category = YALE_CATEGORY.get(category) if category else None
    if grade and by_grade is None:
        reason = f"unknown grade '{cells['grade']}' (Yale grades: A, B, C, D, F)"
        problems.append(Problem(reason, name, row, "grade"))
    if category and by_category is None:
        known = ", ".join(c.title() for c in YALE_CATEGORY)
        reason = f"unknown category '{cells['category']}' (Yale categories: {known})"
        problems.append(Problem(reason, name, row, "category"))
    if not grade and not category:
        problems.append(Problem("neither a grade nor a category", name, row, "grade"))
    if by_grade and by_category and by_grade is not by_category:
        reason = f"grade {grade} is {by_grade.value}, but the category says {category}"
        problems.append(Problem(reason, name, row, "category"))
    russia = by_grade or by_category
    if not category and russia is not None:
        category = next(k for k, v in YALE_CATEGORY.items() if v is russia)
    if not grade and russia is not None:
        grade = next(k for k, v in YALE_GRADE.items() if v is russia).upper()
    return grade, category, russia


def _kse(
    cells: dict[str, str], name: str, row: int, problems: list[Problem]
) -> tuple[str, RussiaStatus | None]:
    status = cells.get("status", "").lower()
    russia = KSE_STATUS.get(status)
    if russia is None:
        known = ", ".join(KSE_STATUS)
        word = cells.get("status", "")
        reason = f"unknown status '{word}' (KSE statuses: {known})" if word else "no status"
        problems.append(Problem(reason, name, row, "status"))
    return status, russia


def _country(text: str, name: str, row: int, problems: list[Problem]) -> str | None:
    if not text:
        return None
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        reason = f"'{text}' is not a country (a name, or an ISO 3166 code)"
        problems.append(Problem(reason, name, row, "country"))
        return None
    return str(found.alpha_2)
