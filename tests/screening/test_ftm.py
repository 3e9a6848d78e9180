"""Reading FollowTheMoney JSON lines and checking INN / OGRN check digits."""

import json
from pathlib import Path

import pytest

from pfund.domain.identifiers import is_valid_inn, is_valid_ogrn
from pfund.errors import InvalidInput
from pfund.io.ftm import read_ftm

SAMPLE = Path(__file__).parent.parent / "cases" / "watchlist_sample.ftm.json"
GOOD = {"id": "p1", "schema": "Person", "properties": {"name": ["Иванов Иван"]}}


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "list.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _bad_file(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        [
            json.dumps(GOOD, ensure_ascii=False),
            '{"id": "x", "schema": ',
            json.dumps({"id": "s", "schema": "Spaceship", "properties": {"name": ["X"]}}),
            json.dumps({"id": "e", "schema": "Company", "properties": {"name": ["  "]}}),
        ],
    )


def test_sample_reads_every_entity_with_aliases_and_identifiers() -> None:
    read = read_ftm(SAMPLE)
    by_id = {entity.id: entity for entity in read.entities}
    assert len(read.entities) == 30
    assert not read.problems
    sber = by_id["ru-c-001"]
    assert sber.schema_name == "Company"
    assert "Sberbank of Russia" in sber.aliases
    assert sber.weak_aliases == ("Sber",)
    assert sber.inn == ("7707083893",)
    assert sber.ogrn == ("1027700132195",)
    assert by_id["ru-p-001"].birth_dates == ("1965-03-14",)
    assert sber.datasets == ("pfund_sample",)


def test_wrong_check_digits_are_warnings_on_the_entity_not_refusals() -> None:
    read = read_ftm(SAMPLE)
    romashka = next(entity for entity in read.entities if entity.id == "ru-c-002")
    assert len(romashka.problems) == 2
    assert {(w.row, w.field) for w in read.warnings} == {
        (17, "properties.innCode"),
        (17, "properties.ogrnCode"),
    }


def test_bad_lines_refuse_the_file_and_each_is_reported_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_ftm(_bad_file(tmp_path))
    problems = caught.value.problems
    assert [p.row for p in problems] == [2, 3, 4]
    assert "not valid JSON" in problems[0].reason
    assert problems[1].field == "schema"
    assert "Spaceship" in problems[1].reason
    assert problems[2].field == "properties.name"
    assert all(p.file == "list.ftm.json" for p in problems)


def test_skip_bad_returns_good_entities_with_the_problems(tmp_path: Path) -> None:
    read = read_ftm(_bad_file(tmp_path), skip_bad=True)
    assert [entity.id for entity in read.entities] == ["p1"]
    assert [p.row for p in read.problems] == [2, 3, 4]


def test_blank_lines_are_ignored_but_rows_keep_file_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, ["", json.dumps(GOOD), "", "[1, 2]"])
    read = read_ftm(path, skip_bad=True)
    assert len(read.entities) == 1
    assert [p.row for p in read.problems] == [4]


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", "7712040126"])
def test_valid_inn(inn: str) -> None:
    assert is_valid_inn(inn)


@pytest.mark.parametrize("inn", ["7707083894", "500100732258", "770708389", "77070838ab"])
def test_invalid_inn(inn: str) -> None:
    assert not is_valid_inn(inn)


@pytest.mark.parametrize("ogrn", ["1027700132195", "1027700092661", "304500116000157"])
def test_valid_ogrn_and_ogrnip(ogrn: str) -> None:
    assert is_valid_ogrn(ogrn)


@pytest.mark.parametrize("ogrn", ["1027700132194", "304500116000158", "10277001321", "x" * 13])
def test_invalid_ogrn(ogrn: str) -> None:
    assert not is_valid_ogrn(ogrn)
