"""The CSV form carries a project both ways without loss."""

from __future__ import annotations

from pathlib import Path

import pytest

from pfund.domain import Project, ProtectionClass
from pfund.domain.protection import view
from pfund.errors import InvalidInput
from pfund.io.files import read_records
from pfund.io.flat import csv_column, flatten_project, unflatten
from tests.domain.test_domain import DESIGN_EXAMPLE


def test_project_survives_flatten_and_unflatten() -> None:
    project = Project.model_validate(DESIGN_EXAMPLE)
    row = flatten_project(view(project, audience=ProtectionClass.INTERNAL))
    assert row["cost.2028.capital"] == "38000000;45000000;60000000"
    assert row["benefit.travel_time_and_safety.from"] == "2030"
    back = Project.model_validate(unflatten(row))
    assert back == project.model_copy(update={"contacts": []})


@pytest.mark.parametrize(
    ("loc", "column"),
    [
        (("costs", "2028", "capital"), "cost.2028.capital"),
        (("benefits", "gain", "by_year", 2031, "low"), "benefit.gain.per_year"),
        (("outcomes", "people", "value"), "outcome.people"),
        (("regions", 1), "regions"),
        (("company", "russia_status"), "company.russia_status"),
    ],
)
def test_error_locations_map_back_to_csv_columns(loc: tuple[str | int, ...], column: str) -> None:
    assert csv_column(loc) == column


def test_a_row_with_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,title\nA,one,extra\nB,two\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        read_records(path, key="projects")
    assert info.value.problems[0].row == 2


def test_an_unknown_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(InvalidInput, match="cannot read"):
        read_records(path, key="projects")


def test_the_csv_template_carries_russian_texts_beside_the_english() -> None:
    """The project template's ``description_ru`` and ``outcome.<name>.name_ru`` columns
    reach the project, and go back out to CSV."""
    template = Path(__file__).parents[2] / "src/pfund/data/templates/projects.csv"
    record = read_records(template, key="projects")[0]
    project = Project.model_validate(unflatten(record.data))
    assert project.description_ru.startswith("Замените")
    assert project.outcomes["people_served"].name_ru == "обслуживаемые жители"
    row = flatten_project(view(project, audience=ProtectionClass.PUBLIC))
    assert row["outcome.people_served.name_ru"] == "обслуживаемые жители"
    assert row["description_ru"] == project.description_ru
    assert csv_column(("outcomes", "people_served", "name_ru")) == "outcome.people_served.name_ru"
