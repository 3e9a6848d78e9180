"""The public conditions page shows what the plan assumes: each scenario by name and
description in the reader's language, its weight, and when each stage becomes more
likely than not, said to be planning judgements, not forecasts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.io.dataset import bundled_dataset
from pfund.services.assumptions import plan_assumptions
from pfund.services.runtime import Runtime
from tests.language_runs import foreign_runs


def _section(html: str) -> str:
    return html.split('id="plan-assumptions"', 1)[1].split("</section>", 1)[0]


def test_each_stage_is_said_when_it_becomes_more_likely_than_not(app_rt: Runtime) -> None:
    views = {v.key: v for v in plan_assumptions(app_rt)}
    assert list(views) == ["stalemate", "ceasefire_only", "settlement"]
    assert [round(v.share, 2) for v in views.values()] == [0.4, 0.4, 0.2]
    stalemate = {s.number: s for s in views["stalemate"].stages}
    assert stalemate[1].likely_by is None  # 35% at most: never more likely than not
    assert (stalemate[1].last_year, stalemate[1].p_last) == (2035, 0.35)
    assert stalemate[2].last_year is None  # never reached in this scenario
    settlement = {s.number: s for s in views["settlement"].stages}
    assert settlement[1].likely_by == 2027  # 0.5 in 2026 is not more likely than not
    assert (settlement[2].likely_by, settlement[3].likely_by) == (2029, 2032)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "en",
            [
                "What the plan assumes",
                "planning judgements, not forecasts",
                "Stalemate <small>(weight 40%)</small>",
                "The war grinds on",
                "Ceasefire only",
                "more likely than not by 2027; 85% by 2030",
                "never more likely than not; 35% by 2035",
                "not reached in this scenario",
            ],
        ),
        (
            "ru",
            [
                "Из чего исходит план",
                "а не прогнозы",
                "Тупик <small>(вес 40",
                "Война затягивается",
                "Только прекращение огня",
                "вероятность выше половины к 2027 году; 85",
                "в этом сценарии не достигается",
            ],
        ),
    ],
)
def test_the_conditions_page_shows_the_scenarios_in_the_readers_language(
    client: TestClient, lang: str, words: list[str]
) -> None:
    page = client.get(f"/conditions?lang={lang}")
    assert page.status_code == 200
    section = _section(page.text)
    for text in words:
        assert text in section, text
    assert foreign_runs(page.text, lang) == []


def test_a_scenario_is_shown_by_the_english_name_its_file_gives(
    app_rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(bundled_dataset(), data)
    file = data / "scenarios" / "default.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("name: Stalemate", "name: A long stalemate"), encoding="utf-8")
    monkeypatch.setattr(app_rt, "dataset", data)
    views = {v.key: v for v in plan_assumptions(app_rt)}
    assert views["stalemate"].name == "A long stalemate"
    assert views["stalemate"].name_ru == "Тупик"
