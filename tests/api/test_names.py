"""Names, not codes, where people read; filters that ignore case; a language switch
that keeps the page's filters; a map whose shades are explained."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from pfund.services.portal import RegionMoney
from pfund.services.runtime import Runtime
from pfund.services.summary import list_projects
from pfund.web.map import PALETTE, legend, shade

COUNT = re.compile(r"<p>(\d+) projects?</p>")


def _count(client: TestClient, query: str) -> int:
    page = client.get(f"/projects?{query}&lang=en")
    assert page.status_code == 200, query
    found = COUNT.search(page.text)
    assert found, page.text[:500]
    return int(found.group(1))


def test_the_project_filters_ignore_case(client: TestClient) -> None:
    exact = _count(client, "region=RU-SAM")
    assert exact > 0
    assert _count(client, "region=ru-sam") == _count(client, "region=%20Ru-Sam%20") == exact
    health = _count(client, "area=health")
    assert 0 < health == _count(client, "area=HEALTH")
    approved = _count(client, "status=approved")
    assert 0 < approved == _count(client, "status=Approved")
    assert _count(client, "region=ru-sam&area=Health") <= exact


def test_the_api_and_the_cli_filters_ignore_case_too(client: TestClient, app_rt: Runtime) -> None:
    def ids(query: str) -> list[str]:
        answer = client.get(f"/api/v1/projects?{query}")
        assert answer.status_code == 200, answer.text
        return [p["id"] for p in answer.json()]

    assert ids("region=ru-sam") == ids("region=RU-SAM") != []
    assert ids("area=Health") == ids("area=health") != []
    assert ids("status=APPROVED") == ids("status=approved") != []
    assert client.get("/api/v1/projects?status=nonsense").status_code == 422
    lower = [p.id for p in list_projects(app_rt, region="ru-sam", area="HEALTH")]
    assert lower == [p.id for p in list_projects(app_rt, region="RU-SAM", area="health")]


def test_regions_are_named_on_the_list_the_filter_and_the_project_page(
    client: TestClient,
) -> None:
    english = client.get("/projects?region=ru-sam&lang=en").text
    russian = client.get("/projects?region=ru-sam&lang=ru").text
    assert "Samara Oblast" in english and "Самарская область" in russian
    # The filter offers regions by name and shows the chosen one selected.
    assert '<option value="RU-SAM" selected>Samara Oblast</option>' in english
    # The regions column reads names, not a list of codes.
    assert not re.search(r"<td>RU-[A-Z]+(, RU-[A-Z]+)*</td>", english)
    page = client.get("/projects/TRN-M11-03?lang=ru").text
    assert "<dd>Тверская область, Новгородская область</dd>" in page


def test_a_decision_lists_its_chosen_projects_by_title(client: TestClient) -> None:
    english = client.get("/decisions/OPT-0001?lang=en").text
    russian = client.get("/decisions/OPT-0001?lang=ru").text
    chosen = english[english.index('<ul class="columns">') :]
    links = re.findall(r'<a href="/projects/([^"]+)">([^<]+)</a>', chosen)
    assert len(links) > 10
    assert all(text != pid for pid, text in links)  # a title, not the bare id
    chosen_ru = russian[russian.index('<ul class="columns">') :]
    titles_ru = re.findall(r'<a href="/projects/[^"]+">([^<]+)</a>', chosen_ru)
    assert len(titles_ru) == len(links)
    assert all(re.search("[а-яА-Я]", title) for title in titles_ru)  # in Russian


def test_the_language_switch_keeps_the_filters_and_nothing_else(client: TestClient) -> None:
    page = client.get("/projects?area=health&region=RU-SAM&utm=x&lang=en").text
    links = re.findall(r'<a href="([^"]+)" lang="ru"', page)
    assert links == ["/projects?area=health&amp;region=RU-SAM&amp;lang=ru"]
    russian = client.get("/projects?area=health&region=RU-SAM&lang=ru").text
    assert _options_selected(russian) == {"area": "health", "region": "RU-SAM"}


def _options_selected(html: str) -> dict[str, str]:
    found = {}
    for name, body in re.findall(r'<select name="(\w+)">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected>', body)
        if chosen:
            found[name] = chosen.group(1)
    return found


def test_the_map_has_a_legend_in_both_languages(client: TestClient) -> None:
    english = client.get("/map?lang=en").text
    russian = client.get("/map?lang=ru").text
    for page, words in ((english, "no money committed"), (russian, "средства не выделены")):
        assert 'class="legend"' in page and words in page
        assert page.count('class="swatch"') == len(PALETTE)
        assert 'role="img" aria-label="' in page  # the map has a name for screen readers


def test_each_legend_class_is_the_shade_its_money_gets() -> None:
    regions = [
        RegionMoney(code=c, name=c, name_ru=c, projects=1, committed=v, per_person=None)
        for c, v in (("RU-A", Decimal(1_000)), ("RU-B", Decimal(2_500_000)))
    ]
    top = Decimal(2_500_000)
    classes = legend(regions)
    assert [c.colour for c in classes] == list(PALETTE)
    assert classes[0].high is None and classes[1].low is None
    assert classes[-1].high == top
    for c in classes[1:]:
        low = c.low or Decimal(1)
        assert c.high is not None
        assert shade(low, top) == c.colour
        assert shade((low + c.high) / 2, top) == c.colour
    assert legend([]) == classes[:1]
