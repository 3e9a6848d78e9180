"""Project filters put what a reader typed into the case codes are stored in."""

from __future__ import annotations

from pfund.services.filters import ProjectFilter
from pfund.services.names import Name, name_of, short, words


def test_a_filter_ignores_case_spaces_and_the_spelling_of_a_status() -> None:
    chosen = ProjectFilter.of(" Health ", "In progress", "ru-sam")
    assert chosen == ProjectFilter(area="health", status="in_progress", region="RU-SAM")
    assert ProjectFilter.of("", "  ", None) == ProjectFilter()
    assert chosen.matches(area="health", status="in_progress", regions=["RU-MOW", "RU-SAM"])
    assert not chosen.matches(area="health", status="approved", regions=["RU-SAM"])
    assert ProjectFilter().matches(area=None, status=None, regions=[])
    assert chosen.form() == {"area": "health", "status": "in_progress", "region": "RU-SAM"}


def test_a_code_reads_as_its_name_or_else_as_words() -> None:
    names = {"RU-SAM": Name(code="RU-SAM", name="Samara Oblast", name_ru="Самарская область")}
    assert name_of(names, "RU-SAM") == "Samara Oblast"
    assert name_of(names, "RU-SAM", "ru") == "Самарская область"
    assert Name(code="x", name="X only").in_language("ru") == "X only"
    assert name_of(names, "ceasefire_only") == words("ceasefire_only") == "Ceasefire only"
    assert short("Sustainable salmon fisheries in Kamchatka and Sakhalin", 30) == (
        "Sustainable salmon fisheries…"
    )
    assert short("Wind farm near Murmansk") == "Wind farm near Murmansk"
