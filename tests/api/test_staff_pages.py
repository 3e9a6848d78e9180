"""The staff pages as a person uses them: lists that filter and page, actions offered
only when allowed (with the reason when not), refusals explained on a staff page."""

from __future__ import annotations

import re
from datetime import date
from importlib.resources import files
from pathlib import Path

from fastapi.testclient import TestClient

from pfund.services import conditions
from pfund.services.runtime import Runtime
from pfund.services.tranche_actions import tranche_actions
from pfund.services.tranches import list_tranches
from tests.api.browsing import proper_names
from tests.api.conftest import csrf_of, sign_in
from tests.language_runs import foreign_runs

SAMPLE = files("pfund.data") / "rpf" / "watchlists" / "sample.ftm.json"


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="tranche-([^"]+)"', html)


def test_the_tranches_filter_by_project_status_and_year_a_page_at_a_time(
    client: TestClient, app_rt: Runtime
) -> None:
    every = list_tranches(app_rt)
    assert len(every) > 100
    sign_in(client, "ana")
    first = client.get("/staff/tranches").text
    assert len(_rows(first)) == 50
    assert f"of {len(every)}" in first
    second = client.get("/staff/tranches?page=2&per_page=25").text
    assert _rows(second) == [t.id for t in every][25:50]

    project = every[0].project_id
    year = every[0].year
    mine = [t.id for t in every if t.project_id == project and t.year == year]
    page = client.get(f"/staff/tranches?project={project.lower()}&year={year}&status=planned").text
    assert _rows(page) == mine
    none = client.get(f"/staff/tranches?project={project}&status=disbursed").text
    assert _rows(none) == [] and "No tranche matches" in none


def test_paging_links_keep_the_filters(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/tranches?status=planned&per_page=25").text
    assert 'href="/staff/tranches?status=planned&amp;page=2&amp;per_page=25"' in page


def test_release_is_offered_only_when_the_gate_allows_and_the_reason_shown_when_not(
    client: TestClient, app_rt: Runtime
) -> None:
    every = list_tranches(app_rt)
    stage0 = next(t for t in every if t.stage == 0 and t.year == min(x.year for x in every))
    stage1 = next(t for t in every if t.stage == 1)
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?project={stage0.project_id}").text
    assert f'id="release-{stage0.id}"' in page
    page = client.get(f"/staff/tranches?project={stage1.project_id}").text
    assert f'id="release-{stage1.id}"' not in page
    held = page.split(f'id="held-{stage1.id}"', 1)[1].split("</div>", 1)[0]
    assert "Cannot be released now" in held
    assert 'href="/staff/conditions#condition-' in held
    assert f'id="disburse-{stage1.id}"' not in page


def test_a_reviewer_is_not_offered_money_actions(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff/tranches").text
    assert 'id="release-' not in page and "Your role does not move money" in page


def test_a_refused_release_is_explained_on_a_staff_page_with_links(
    client: TestClient, app_rt: Runtime
) -> None:
    held = next(t for t in list_tranches(app_rt) if t.stage == 1)
    sign_in(client, "ana")
    back = f"/staff/tranches?project={held.project_id}&status=planned"
    page = client.get(back).text
    answer = client.post(
        f"/staff/tranches/{held.id}/release",
        data={"csrf_token": csrf_of(page), "back": back},
        headers={"referer": f"http://testserver{back}"},
    )
    assert answer.status_code == 409
    text = answer.text
    assert f"Refused: Release of tranche {held.id}" in text
    assert "Nothing was changed" in text
    assert 'href="/staff/conditions#condition-' in text
    assert f'<a href="{back.replace("&", "&amp;")}" id="back">' in text
    assert "pfund " not in text.split("<footer>")[0].split("</header>")[1]  # no CLI command
    assert "Back to the fund" not in text


def test_a_refused_payment_says_what_is_missing_in_russian(
    client: TestClient, app_rt: Runtime
) -> None:
    planned = list_tranches(app_rt)[0]
    sign_in(client, "ana")
    page = client.get("/staff/tranches?lang=ru").text
    answer = client.post(
        f"/staff/tranches/{planned.id}/disburse", data={"csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 409
    assert f"Отказано: Выплата транша {planned.id}" in answer.text
    assert "этот шаг возможен только для транша в состоянии" in answer.text
    assert "not released" not in answer.text  # the service's English stays out
    assert 'href="/staff/tranches"' in answer.text


def _second_run(rt: Runtime) -> tuple[str, str]:
    """A copy of OPT-0001 that drops its last project and whose value differs from it
    only in the second decimal: the difference a rounded total hides."""
    with rt.uow() as uow:
        first = uow.decisions.get("OPT-0001")
        assert first is not None and first.objective is not None
        result = dict(first.result)
        dropped = result["selected"][-1]
        result["selected"] = result["selected"][:-1]
        second = first.model_copy(
            update={"id": "OPT-0900", "result": result, "objective": first.objective + 0.03}
        )
        uow.decisions.add(second)
        uow.commit()
        title = uow.projects.get(dropped)
        assert title is not None
    return second.id, title.title


def test_compare_shows_the_differences_and_the_projects_of_one_run_only(
    client: TestClient, app_rt: Runtime
) -> None:
    other, dropped = _second_run(app_rt)
    sign_in(client, "ana")
    page = client.get(f"/staff/compare?a=OPT-0001&b={other}").text
    value = page.split('id="figure-value"', 1)[1].split("</tr>", 1)[0]
    assert "+0.03" in value
    cells = re.findall(r'<td class="num">([^<]+)</td>', value)
    assert cells[0] != cells[1]  # enough digits to see they differ
    projects = page.split('id="figure-projects"', 1)[1].split("</tr>", 1)[0]
    assert "-1" in projects
    only_a = page.split('id="only-a"', 1)[1].split("</ul>", 1)[0]
    assert dropped in only_a
    assert "By area" in page


def test_a_reviewer_sees_no_run_section_nor_import(client: TestClient) -> None:
    sign_in(client, "rev")
    page = client.get("/staff").text
    assert "<h2>Run</h2>" not in page and 'href="/staff/import"' not in page
    sign_in(client, "ana")
    page = client.get("/staff").text
    assert "<h2>Run</h2>" in page and 'href="/staff/import"' in page


def test_the_reviews_page_title_is_text_and_each_field_is_named(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/reviews").text
    client.post(
        "/staff/reviews",
        data={"csrf_token": csrf_of(page), "project_id": "GOV-MED-01", "reviewer": "rev"},
    )
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "form" not in title
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "rev")
    page = client.get("/staff/reviews").text
    radios = re.findall(r'<label class="choice"><input type="radio"[^>]*> [^<]+</label>', page)
    assert len(radios) == 2
    review = page.split('action="/staff/reviews/', 1)[1].split("/", 1)[0]
    client.post(
        f"/staff/reviews/{review}/declaration",
        data={"csrf_token": csrf_of(page), "conflict": "false"},
    )
    page = client.get("/staff/reviews").text
    assert "Contribution to democratic governance (0–10)" in page
    assert "democratic governance (0" not in page.replace("Contribution to democratic", "")
    assert "Вклад в демократическое управление" in client.get("/staff/reviews?lang=ru").text


def _sample_hits_queue(client: TestClient) -> str:
    """Compliance loads the sample watchlist (screening everyone if loading did not);
    the review queue's page, with the hits on Volga Free Press in it."""
    sign_in(client, "comp")
    page = client.get("/staff/screening").text
    client.post(
        "/staff/screening/watchlists",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("sample.ftm.json", SAMPLE.read_bytes(), "application/json")},
    )
    queue: str = client.get("/staff/screening").text
    if "Volga Free Press" not in queue:
        queue = client.post("/staff/screening/run", data={"csrf_token": csrf_of(queue)}).text
    return queue


def test_screening_hits_are_explained_in_words_with_the_features_disclosed(
    client: TestClient, db_url: str
) -> None:
    queue = _sample_hits_queue(client)
    assert "another spelling of the same word (Volga / Wolga)" in queue
    assert "<details><summary>How the score was reached</summary>" in queue
    assert "how alike the paired words are" in queue  # features in words, not codes
    russian = client.get("/staff/screening?lang=ru").text
    assert "то же слово в другом написании (Volga / Wolga)" in russian
    # The disclosed feature table reads in Russian too: nothing in it is marked as
    # English and left untranslated, and the page has no run of English words.
    disclosed = russian.split("<details>", 1)[1].split("</details>", 1)[0]
    hits = russian.split("<h2>", 2)[2]  # the open hits, below the language switch
    assert "сходство слов, сопоставленных попарно" in disclosed and 'lang="en"' not in hits
    names = proper_names(Path(db_url.removeprefix("sqlite:///")))
    assert foreign_runs(russian, "ru", names) == []
    assert foreign_runs(disclosed, "ru") == []


def test_a_money_form_sent_twice_moves_the_money_once(client: TestClient, app_rt: Runtime) -> None:
    every = list_tranches(app_rt)
    first = next(t for t in every if t.stage == 0 and t.year == min(x.year for x in every))
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?project={first.project_id}").text
    form = page.split(f'action="/staff/tranches/{first.id}/release"', 1)[1].split("</form>", 1)[0]
    key = form.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    sent = {"csrf_token": csrf_of(page), "idempotency_key": key}
    once = client.post(f"/staff/tranches/{first.id}/release", data=sent)
    moved = _entries(app_rt, first.id)
    twice = client.post(f"/staff/tranches/{first.id}/release", data=sent)
    assert once.status_code == twice.status_code == 200
    assert "the money moved once" in twice.text
    assert _entries(app_rt, first.id) == moved


def _entries(rt: Runtime, tranche: str) -> int:
    with rt.uow() as uow:
        return len([e for e in uow.ledger.list() if e.tranche_id == tranche])


def test_an_open_hit_is_named_beside_the_tranche_and_linked_for_compliance(
    client: TestClient, app_rt: Runtime
) -> None:
    queue = _sample_hits_queue(client)
    hit = queue.split('id="dismiss-', 1)[1].split('"', 1)[0]
    with app_rt.uow() as uow:
        funded = {t.project_id for t in uow.tranches.list()}
        project = next(
            p.id
            for p in uow.projects.list()
            if "ORG-0006" in (p.proponent, *p.partners) and p.id in funded
        )
    page = client.get(f"/staff/tranches?project={project}").text
    assert f'href="/staff/screening#hit-{hit}">Screening hit {hit}</a> is open: ' in page
    assert "is open: compliance must review it" in page
    assert f'<tr id="hit-{hit}">' in queue
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?project={project}").text
    assert f"Screening hit {hit} is open" in page and "#hit-" not in page  # named, not linked


def test_the_runs_on_the_dashboard_filter_and_page(client: TestClient, app_rt: Runtime) -> None:
    with app_rt.uow() as uow:
        first = uow.decisions.get("OPT-0001")
        assert first is not None
        for n in range(30):
            uow.decisions.add(first.model_copy(update={"id": f"OPT-{1000 + n}"}))
        uow.commit()
        portfolio = uow.decisions.count(kind="portfolio")
    sign_in(client, "ana")
    page = client.get("/staff?kind=portfolio").text
    runs = re.findall(r'<a href="/staff/runs/(OPT-\d+)">', page)
    assert len(runs) == 25 and f"of {portfolio}" in page
    assert 'href="/staff?kind=portfolio&amp;page=2"' in page
    rest = client.get("/staff?kind=portfolio&page=2").text
    assert len(re.findall(r'<a href="/staff/runs/(OPT-\d+)">', rest)) == portfolio - 25
    assert "No run matches" in client.get("/staff?kind=portfolio&status=nonsense").text


def test_reviews_filter_by_project(client: TestClient) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/reviews").text
    for project in ("GOV-MED-01", "EDU-FUL-01"):
        client.post(
            "/staff/reviews",
            data={"csrf_token": csrf_of(page), "project_id": project, "reviewer": "rev"},
        )
    every = client.get("/staff/reviews").text
    assert "GOV-MED-01" in every and "EDU-FUL-01" in every
    one = client.get("/staff/reviews?project=gov-med-01").text
    assert "GOV-MED-01" in one and "EDU-FUL-01" not in one


def test_a_condition_form_sent_twice_records_the_change_once(
    client: TestClient, app_rt: Runtime
) -> None:
    sign_in(client, "ana")
    page = client.get("/staff/conditions").text
    key = page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0]
    sent = {
        "csrf_token": csrf_of(page),
        "idempotency_key": key,
        "code": "ceasefire_holding",
        "status": "met",
        "evidence": "OSCE monitoring report 3",
        "verifier": "osce_monitoring",
        "on": "2030-01-10",
    }
    once = client.post("/staff/conditions", data=sent)
    with app_rt.uow() as uow:
        events = uow.audit.count()
    twice = client.post("/staff/conditions", data=sent)
    assert once.status_code == twice.status_code == 200
    assert "ceasefire_holding: not_met -&gt; met" in twice.text
    with app_rt.uow() as uow:
        assert uow.audit.count() == events


def test_a_page_a_role_cannot_see_is_a_staff_page_with_the_way_back(client: TestClient) -> None:
    sign_in(client, "ana")
    answer = client.get("/staff/screening")
    assert answer.status_code == 403
    assert "This page cannot be shown" in answer.text and 'id="back"' in answer.text
    assert "Back to the fund" not in answer.text


def test_a_tranche_held_only_by_its_year_offers_an_early_release_with_its_reason(
    client: TestClient, app_rt: Runtime
) -> None:
    # Stage 1 reached, so the later tranches that need it are held by their year alone.
    conditions.set_condition(
        app_rt,
        "ceasefire_holding",
        "met",
        evidence="OSCE monitoring report 12",
        verifier="osce_monitoring",
        on=date(2026, 11, 20),
    )
    steps = tranche_actions(app_rt, list_tranches(app_rt), date(2030, 6, 1))
    later = next(r.tranche for r in steps.rows if r.early_only)
    sign_in(client, "ana")
    page = client.get(f"/staff/tranches?project={later.project_id}&year={later.year}").text
    assert f'id="release-{later.id}"' not in page
    assert f'id="release-early-{later.id}"' in page
    assert f"Money for {later.year}: it may be released from 1 January {later.year}" in page
    form = page.split(f'action="/staff/tranches/{later.id}/release"', 1)[1].split("</form>")[0]
    assert 'name="early" value="true"' in form and 'name="reason" required' in form


def test_a_reviewer_is_shown_no_form_their_role_cannot_send(client: TestClient) -> None:
    sign_in(client, "rev")
    assert "Record a change" not in client.get("/staff/conditions").text
    assert client.get("/staff/import").status_code == 403
    sign_in(client, "ana")
    assert "Record a change" in client.get("/staff/conditions").text
    assert client.get("/staff/import").status_code == 200


def test_the_run_page_names_the_chosen_projects(client: TestClient, app_rt: Runtime) -> None:
    """Before, the chosen projects were bare ids."""
    with app_rt.uow() as uow:
        record = uow.decisions.get("OPT-0001")
        assert record is not None
        chosen = uow.projects.get(record.result["selected"][0])
    assert chosen is not None and chosen.title_ru
    sign_in(client, "ana")
    english = client.get("/staff/runs/OPT-0001?lang=en").text
    russian = client.get("/staff/runs/OPT-0001?lang=ru").text
    assert f"{chosen.title} <small>" in english.replace("&#39;", "'")
    assert f"{chosen.title_ru} <small>" in russian.replace("&#39;", "'")


def test_a_tranches_stage_is_named_beside_its_status_in_both_languages(
    client: TestClient, app_rt: Runtime
) -> None:
    """ui17: on a phone the column heads are hidden and a tranche's stage ran into its
    status, "2 planned" / "2 запланировано", read as a count. Its cells now name the year
    and the stage (shown where the heads are not) and the status cell is marked."""
    planned = next(t for t in list_tranches(app_rt) if t.status.value == "planned")
    sign_in(client, "ana")
    path = f"/staff/tranches?project={planned.project_id}&year={planned.year}"
    for lang, year, stage, status in (
        ("en", "Year", "Stage", "planned"),
        ("ru", "Год", "Этап", "запланировано"),
    ):
        page = client.get(f"{path}&lang={lang}").text
        row = page.split(f'<tr id="tranche-{planned.id}">', 1)[1].split("</tr>", 1)[0]
        assert f'<td><span class="card-label">{year} </span>{planned.year}</td>' in row, row
        cells = f'<span class="card-label">{stage} </span>{planned.stage}</td>'
        assert f'{cells}<td class="status">{status}</td>' in row, row
