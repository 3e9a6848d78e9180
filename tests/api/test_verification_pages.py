"""The verifier's pages: the reports awaiting verification, a sample asked for in a plain
form, the findings recorded unit by unit, the factor with its interval, and what each
linked tranche would pay; in English and Russian. Only a verifier may draw or record:
anyone not signed in as staff is sent to sign in, and another staff role is refused
with nothing stored."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from pfund.domain.account import Role
from pfund.domain.results import ReportedValue, ReportInput
from pfund.services import accounts, results
from pfund.services.runtime import Runtime
from pfund.services.verification import import_units, link_tranche
from pfund.store.tables import FindingRow, VerificationRow
from tests.api.conftest import PASSWORD, csrf_of, sign_in
from tests.language_runs import foreign_runs
from tests.services.test_verification import _tranche

UNITS = 30


def _count(rt: Runtime, row: type) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(row)) or 0


def _awaiting(rt: Runtime, tmp_path: Path) -> tuple[str, str, str]:
    """A sent report listing 30 units of an indicator whose tranche is linked to it:
    (report, indicator, tranche)."""
    tranche, project, code, period = _tranche(rt)
    unit = results.project_results(rt, project).indicators[0].indicator.unit
    value = ReportedValue(indicator=code, value=Decimal(UNITS * 5), unit=unit)
    results.submit_report(
        rt, ReportInput(project=project, period=period, values=[value]), [], channel="api"
    )
    report = next(r.id for r in results.project_reports(rt, project) if r.period == period)
    path = tmp_path / "units.csv"
    rows = "".join(f"{report},{code},U{i:02d},,5\n" for i in range(UNITS))
    path.write_text("report,indicator,unit,stratum,reported\n" + rows, encoding="utf-8")
    import_units(rt, path)
    formula = {"kind": "scalable", "threshold": UNITS * 2, "target": UNITS * 5}
    link_tranche(rt, tranche, code, period, formula)
    return report, code, tranche


def test_no_one_but_staff_reaches_the_pages_and_only_a_verifier_draws(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    report, code, _ = _awaiting(app_rt, tmp_path)
    # the public (and a partner, whose link opens only its report form) is sent to sign in
    for path in ("/staff/verification", "/staff/verification/VER-00001", "/staff/results/payments"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    sign_in(client, "rev")  # staff who may read, not verify: no form, and a post is refused
    page = client.get("/staff/verification?lang=en")
    assert page.status_code == 200 and report in page.text
    assert "Ask for a sample" not in page.text
    asked = {"report": report, "indicator": code, "confidence": "0.9", "precision": "0.1"}
    refused = client.post(
        "/staff/verification/sample", data=asked | {"csrf_token": csrf_of(page.text)}
    )
    assert refused.status_code == 403
    assert _count(app_rt, VerificationRow) == 0


def test_a_verifier_samples_records_and_sees_the_factor_in_both_languages(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    report, code, tranche = _awaiting(app_rt, tmp_path)
    accounts.add_user(app_rt, "vera", PASSWORD, roles=[Role.VERIFIER], display_name="Vera")
    sign_in(client, "vera")
    page = client.get("/staff/verification?lang=en")
    assert "awaiting verification" in page.text and "Ask for a sample" in page.text
    csrf = csrf_of(page.text)
    asked = {"report": report, "indicator": code, "csrf_token": csrf}
    bad = client.post(
        "/staff/verification/sample", data=asked | {"confidence": "1.5", "precision": "0"}
    )
    assert bad.status_code == 400 and "No sample was drawn" in bad.text
    assert "<em>Confidence</em>" in bad.text and "<em>Precision</em>" in bad.text
    assert _count(app_rt, VerificationRow) == 0
    drawn = client.post(
        "/staff/verification/sample",
        data=asked | {"confidence": "0,9", "precision": "0.1", "seed": "11"},
        follow_redirects=False,
    )
    assert drawn.status_code == 303, drawn.text
    where = drawn.headers["location"]
    sample = client.get(where + "?lang=en").text
    assert "<code>11</code>" in sample and "90.0%" in sample
    units = re.findall(r'name="recount\.([^"]+)"', sample)
    # Cochran: n0 = 67.6; n = 67.6 / (1 + 66.6 / 30) = 21.0 -> 21 of 30
    assert len(units) == 21 and "21 of 30 units" in sample
    form = {f"recount.{u}": "4" for u in units} | {"csrf_token": csrf}
    wrong = client.post(where + "/findings", data=form | {f"recount.{units[0]}": "-4"})
    assert wrong.status_code == 400 and f"recounted.{units[0]}" in wrong.text
    assert _count(app_rt, FindingRow) == 0
    done = client.post(where + "/findings", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    english = client.get(where + "?lang=en").text
    # every recount is 4 of the 5 reported: factor 0.8, verified 0.8 x 150 = 120
    assert "Verification factor" in english and "0.8" in english and "120" in english
    assert "Record the findings" not in english
    russian = client.get(where + "?lang=ru").text
    assert "Коэффициент проверки" in russian and "Проверенный итог" in russian
    client.cookies.clear()
    sign_in(client, "ana")
    due = client.get("/staff/results/payments?lang=en").text
    # 120 between threshold 60 and target 150: (120 - 60) / (150 - 60) = 66.7 %
    assert tranche in due and "Between threshold and target: 66.7%" in due
    due_ru = client.get("/staff/results/payments?lang=ru").text
    assert "Между порогом и целью" in due_ru
    for path in ("/staff/verification", where, "/staff/results/payments"):
        for lang in ("en", "ru"):
            shown = client.get(f"{path}?lang={lang}").text
            assert foreign_runs(shown, lang, names=["Test Setup"]) == [], (path, lang)
