"""Reading the trackers' layouts: every grade and status mapped explicitly, the sample
lists illustrative and complete, and anything unknown named by file, row and field."""

from __future__ import annotations

from collections import Counter
from importlib.resources import files
from pathlib import Path

import pytest

from pfund.domain.company_return import Tracker
from pfund.domain.enums import RussiaStatus
from pfund.errors import InvalidInput
from pfund.io.company_lists import read_company_list

SAMPLES = Path(str(files("pfund") / "data" / "rpf" / "companies"))


def test_the_yale_grades_and_categories_map_one_to_one() -> None:
    found = read_company_list(SAMPLES / "celi-layout-sample.csv", Tracker.YALE)
    assert len(found.companies) == 28 and len(found.sha256) == 64
    pairs = {(c.grade, c.status, c.russia_status) for c in found.companies}
    assert pairs == {
        ("A", "withdrawal", RussiaStatus.WITHDRAWN),
        ("B", "suspension", RussiaStatus.SUSPENDED),
        ("C", "scaling back", RussiaStatus.SCALING_BACK),
        ("D", "buying time", RussiaStatus.BUYING_TIME),
        ("F", "digging in", RussiaStatus.DIGGING_IN),
    }
    phases = Counter(c.phase for c in found.companies)
    assert phases == {1: 23, 2: 5}  # finance, IT and communication wait for phase 2
    kestrel = found.companies[0]
    assert (kestrel.country, kestrel.sector, kestrel.area) == ("DE", "Industrials", "transport")


def test_the_kse_statuses_map_and_the_sample_is_marked_illustrative() -> None:
    found = read_company_list(SAMPLES / "kse-layout-sample.csv", Tracker.KSE)
    statuses = {c.status: c.russia_status for c in found.companies}
    assert statuses == {
        "exited": RussiaStatus.WITHDRAWN,
        "exiting": RussiaStatus.SUSPENDED,
        "waiting": RussiaStatus.BUYING_TIME,
        "staying": RussiaStatus.DIGGING_IN,
    }
    readme = (SAMPLES / "README.md").read_text("utf-8")
    assert "ILLUSTRATIVE" in readme and "not openly licensed" in readme


def test_a_grade_alone_a_category_alone_any_case_and_a_bom_are_read(tmp_path: Path) -> None:
    path = tmp_path / "yale.csv"
    path.write_bytes("\ufeff NAME ,grade,CATEGORY\nOne Co,b,\nTwo Co,,digging in\n".encode("utf-8"))
    one, two = read_company_list(path, Tracker.YALE).companies
    assert (one.grade, one.status, one.russia_status) == ("B", "suspension", RussiaStatus.SUSPENDED)
    assert (two.grade, two.status) == ("F", "digging in")
    assert (one.area, one.phase, one.country) == ("economy", 1, None)  # no industry given


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Company,Status\nA Co,exited\na co,exited\n", (3, "name")),
        ("Company,Status\nA Co,\n", (2, "status")),
        ("Company,Status\n", (None, None)),
        ("Company,Status,Industry\nA Co,exited,Crypto\n", (2, "industry")),
        ("Company,Status,Country\nA Co,exited,Narnia\n", (2, "country")),
        ("Company\nA Co\n", (1, "Status")),
    ],
)
def test_each_problem_is_named_and_nothing_is_returned(
    tmp_path: Path, text: str, where: tuple[int | None, str | None]
) -> None:
    path = tmp_path / "kse.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        read_company_list(path, Tracker.KSE)
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.field) == ("kse.csv", *where)


def test_a_file_that_is_not_utf8_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kse.csv"
    path.write_bytes(b"Company,Status\n\xff\xfe,exited\n")
    with pytest.raises(InvalidInput, match="not a UTF-8 CSV file"):
        read_company_list(path, Tracker.KSE)
