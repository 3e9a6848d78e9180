"""The ECB rates file: its layout read as published, and every bad row named at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pfund.errors import InvalidInput
from pfund.io.dataset import bundled_dataset
from pfund.io.rates import read_ecb_rates


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(body, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InvalidInput) as info:
        read_ecb_rates(path)
    assert all(p.file == path.name for p in info.value.problems)
    return [(p.row, p.field, p.reason) for p in info.value.problems]


def test_the_ecb_layout_with_its_trailing_comma_and_na(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Date,USD,JPY,CYP,\n2024-06-28,1.0705,171.94,N/A,\n2023-12-08,1.0777,155.53,N/A,\n",
    )
    read = read_ecb_rates(path, source="ECB")
    assert read.days == [date(2023, 12, 8), date(2024, 6, 28)]
    assert read.currencies == ["JPY", "USD"]
    usd = [r for r in read.rates if r.quote == "USD" and r.day == date(2024, 6, 28)]
    assert usd[0].base == "EUR" and usd[0].rate == Decimal("1.0705")
    assert len(read.sha256) == 64 and usd[0].file_sha256 == read.sha256


def test_the_sample_fund_ships_a_file_it_can_read() -> None:
    read = read_ecb_rates(bundled_dataset() / "rates" / "eurofxref-sample.csv")
    assert len(read.days) == 2 and "USD" in read.currencies


def test_every_bad_row_is_named_with_its_field_and_reason(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Date,USD,GBP,\n"
        "2024-07-02,1.08,,\n"  # a gap
        "2024-07-01,0,0.84,\n"  # not positive
        "2024-07-01,1.07,0.84,\n"  # the same day twice
        "01/07/2024,1.07,0.84,\n"  # not ISO
        "2024-06-28,abc,-0.5,\n",
    )
    found = problems(path)
    assert (2, "GBP") in {(r, f) for r, f, _ in found}
    assert any(r == 2 and "a gap" in why for r, _, why in found)
    assert (3, "USD") in {(r, f) for r, f, _ in found}
    assert any(r == 4 and "appears twice (first on row 3)" in why for r, _, why in found)
    assert (5, "Date") in {(r, f) for r, f, _ in found}
    assert {(6, "USD"), (6, "GBP")} <= {(r, f) for r, f, _ in found}
    assert len(found) == 6


def test_a_header_that_is_not_the_ecb_layout_is_refused(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "Day,USD\n2024-07-01,1.08\n"))[0][:2] == (1, "Date")
    found = problems(write(tmp_path, "Date,USD,XYZ,EUR,USD\n2024-07-01,1,1,1,1\n"))
    reasons = " ".join(why for _, _, why in found)
    assert "'XYZ' is not an ISO 4217" in reasons
    assert "EUR has no column" in reasons
    assert "USD has two columns" in reasons
    assert problems(write(tmp_path, "Date,USD,\n"))[0][2] == "the file holds no rate"
