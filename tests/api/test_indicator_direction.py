"""An indicator's direction set from the staff project page (a plain form, CSRF, English
and Russian), refused while a tranche is paid on it; and a re-import that would turn a
linked indicator round is refused naming the file, row and field, with nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pfund.errors import InvalidInput
from pfund.services.results import import_indicators, project_results
from pfund.services.runtime import Runtime
from pfund.services.verification import link_tranche
from pfund.store.tables import AuditEventRow
from tests.api.conftest import csrf_of, sign_in
from tests.services.test_verification import _tranche


def _deaths_file(tmp_path: Path, project: str, period: str, base: str, direction: str) -> Path:
    item = {
        "project": project,
        "code": "road_deaths",
        "name": "Road deaths per year",
        "name_ru": "Гибель на дорогах в год",
        "unit": "deaths",
        "direction": direction,
        "baseline": 100,
        "baseline_date": base,
        "targets": {period: 60},
    }
    path = tmp_path / "deaths.yaml"
    path.write_text(yaml.safe_dump([item], allow_unicode=True), encoding="utf-8")
    return path


def _deaths(rt: Runtime, tmp_path: Path) -> tuple[str, str, str, Path]:
    """A tranche and its project, whose framework becomes one decreasing indicator
    (road deaths, 100 towards 60); the file it was imported from."""
    tranche, project, _, period = _tranche(rt)
    base = project_results(rt, project).indicators[0].indicator.baseline_date.isoformat()
    path = _deaths_file(tmp_path, project, period, base, "decrease")
    import_indicators(rt, path)
    return tranche, project, period, path


def _direction(rt: Runtime, project: str) -> str:
    (view,) = project_results(rt, project).indicators
    return view.indicator.direction.value


def _events(rt: Runtime) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEventRow)) or 0


def test_staff_turn_an_indicator_round_from_the_project_page_unless_a_tranche_is_paid_on_it(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    tranche, project, period, _ = _deaths(app_rt, tmp_path)
    page_url = f"/staff/proposals/{project}"
    action = f"/staff/results/{project}/direction"
    sign_in(client, "rev")  # reads the page, may not import: no form, and a post is refused
    page = client.get(page_url)
    assert "Which way each indicator improves" not in page.text
    posted = {"indicator": "road_deaths", "direction": "increase"}
    refused = client.post(action, data=posted | {"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403 and _direction(app_rt, project) == "decrease"

    sign_in(client, "ana")
    page = client.get(page_url)
    assert "Which way each indicator improves" in page.text
    assert 'id="direction-road_deaths">Make higher better' in page.text
    russian = client.get(page_url + "?lang=ru").text
    assert "В какую сторону улучшается каждый показатель" in russian
    assert "Сделать: чем больше, тем лучше" in russian and "чем меньше, тем лучше" in russian
    assert client.post(action, data=posted).status_code == 403  # no CSRF token
    assert _direction(app_rt, project) == "decrease"

    done = client.post(
        action, data=posted | {"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].startswith(page_url)
    assert _direction(app_rt, project) == "increase"
    after = client.get(done.headers["location"] + "&lang=en").text
    assert "indicator direction set" in after and "Make lower better" in after
    back = {"indicator": "road_deaths", "direction": "decrease", "csrf_token": csrf_of(after)}
    assert client.post(action, data=back, follow_redirects=False).status_code == 303
    assert _direction(app_rt, project) == "decrease"

    # a tranche paid on it: the same form is refused on the staff refusal page
    link_tranche(
        app_rt, tranche, "road_deaths", period, {"kind": "scalable", "threshold": 80, "target": 60}
    )
    before = _events(app_rt)
    refused = client.post(action, data=posted | {"csrf_token": csrf_of(after)})
    assert refused.status_code == 409
    assert f"tranche {tranche} is paid on indicator road_deaths" in refused.text
    assert "unlink the tranche first" in refused.text and "Nothing was changed." in refused.text
    assert f"The direction of an indicator of {project}" in refused.text
    russian = client.post(action + "?lang=ru", data=posted | {"csrf_token": csrf_of(after)})
    assert russian.status_code == 409 and "сначала отвяжите транш" in russian.text
    assert f"транш {tranche} выплачивается по показателю road_deaths" in russian.text
    assert _direction(app_rt, project) == "decrease" and _events(app_rt) == before


def test_a_reimport_that_turns_a_linked_indicator_round_is_refused_and_stores_nothing(
    app_rt: Runtime, tmp_path: Path
) -> None:
    tranche, project, period, _ = _deaths(app_rt, tmp_path)
    base = project_results(app_rt, project).indicators[0].indicator.baseline_date.isoformat()
    # unlinked, a re-import may turn it round (and back)
    import_indicators(app_rt, _deaths_file(tmp_path, project, period, base, "increase"))
    assert _direction(app_rt, project) == "increase"
    import_indicators(app_rt, _deaths_file(tmp_path, project, period, base, "decrease"))
    link_tranche(
        app_rt, tranche, "road_deaths", period, {"kind": "scalable", "threshold": 80, "target": 60}
    )
    stored, before = project_results(app_rt, project), _events(app_rt)

    flipped = _deaths_file(tmp_path, project, period, base, "increase")
    with pytest.raises(InvalidInput) as caught:
        import_indicators(app_rt, flipped)
    assert "nothing was imported" in caught.value.message
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("deaths.yaml", 1, "direction")
    assert problem.reason == (
        f"indicator 'road_deaths' of {project} is decrease and tranche {tranche} is paid on "
        "it, so it cannot become increase; unlink the tranche first"
    )
    assert project_results(app_rt, project) == stored and _events(app_rt) == before

    # the same direction re-imported with a new name is fine: only turning it is refused
    renamed = yaml.safe_load(_deaths_file(tmp_path, project, period, base, "decrease").read_text())
    renamed[0]["name"] = "Road deaths a year"
    flipped.write_text(yaml.safe_dump(renamed, allow_unicode=True), encoding="utf-8")
    assert import_indicators(app_rt, flipped).imported == 1
    (view,) = project_results(app_rt, project).indicators
    assert (
        view.indicator.name == "Road deaths a year" and view.indicator.direction.value == "decrease"
    )


def test_a_reimport_that_leaves_out_a_linked_indicator_is_refused_and_stores_nothing(
    app_rt: Runtime, tmp_path: Path
) -> None:
    tranche, project, period, _ = _deaths(app_rt, tmp_path)
    link_tranche(
        app_rt, tranche, "road_deaths", period, {"kind": "scalable", "threshold": 80, "target": 60}
    )
    stored, before = project_results(app_rt, project), _events(app_rt)
    base = stored.indicators[0].indicator.baseline_date.isoformat()
    other = yaml.safe_load(_deaths_file(tmp_path, project, period, base, "decrease").read_text())
    other[0] |= {"code": "road_injuries", "name": "Road injuries", "name_ru": "Травмы на дорогах"}
    path = tmp_path / "injuries.yaml"
    path.write_text(yaml.safe_dump(other, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_indicators(app_rt, path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("injuries.yaml", 1, "code")
    assert problem.reason == (
        f"indicator 'road_deaths' of {project} is left out, but tranche {tranche} is paid on "
        "it; keep it in the file or unlink the tranche first"
    )
    assert project_results(app_rt, project) == stored and _events(app_rt) == before
    # kept beside the new one, the import goes through
    both = [
        yaml.safe_load(_deaths_file(tmp_path, project, period, base, "decrease").read_text())[0]
    ]
    path.write_text(yaml.safe_dump(both + other, allow_unicode=True), encoding="utf-8")
    assert import_indicators(app_rt, path).imported == 2
