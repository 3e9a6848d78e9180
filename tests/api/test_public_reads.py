"""Public reads: filters match only what the public sees, and the page cache is bounded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from pfund.api import create_app
from pfund.services import portal
from pfund.services.runtime import Runtime
from tests.api.conftest import settings_for
from tests.api.test_protection import planted_rt  # noqa: F401 (a fixture)


def test_a_filter_on_a_protected_field_finds_only_what_the_public_sees(
    planted_rt: tuple[Runtime, list[str]],  # noqa: F811
    db_url: str,
) -> None:
    """HLT-S0 protects its regions (RU-SAM), HLT-S1 shows the same region: a public
    filter by that region must find HLT-S1 only, or it would reveal HLT-S0's region."""
    rt, _ = planted_rt
    with TestClient(create_app(settings_for(db_url), runtime=rt)) as client:
        found = {p["id"] for p in client.get("/api/v1/projects?region=RU-SAM").json()}
        assert "HLT-S1" in found
        assert "HLT-S0" not in found
        everyone = {p["id"] for p in client.get("/api/v1/projects").json()}
        assert "HLT-S0" in everyone  # the project itself is public
        page = client.get("/projects?region=RU-SAM").text
        assert "HLT-S1" in page
        assert "HLT-S0" not in page


def test_the_page_cache_keeps_a_bounded_number_of_entries(
    client: TestClient, app_rt: Runtime
) -> None:
    cache = portal._cache(app_rt)
    cache.max_entries = 20
    assert client.get("/projects").status_code == 200
    before = len(cache)
    for n in range(100):  # parameters the page does not declare are not part of the key
        assert client.get(f"/projects?utm={n}&x{n}=1").status_code == 200
    assert len(cache) == before
    for n in range(100):  # declared ones are, but the oldest entries make room
        assert client.get(f"/projects?area=a{n}").status_code == 200
    assert len(cache) == 20
    assert client.get("/projects?area=a99").status_code == 200
    assert len(cache) == 20
