"""Results: indicators imported all or nothing, reports checked against them, evidence
cleaned of its metadata, report links stored hashed, late reports listed."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, text

from pfund.domain import ProjectStatus
from pfund.domain.results import ReportedValue, ReportInput
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.io.evidence import MAX_EVIDENCE_BYTES
from pfund.services.audit import AuditWriter, verify
from pfund.services.results import (
    Upload,
    evidence_content,
    import_indicators,
    import_reports,
    issue_report_link,
    late_reports,
    project_results,
    submit_by_token,
)
from pfund.services.runtime import Runtime
from pfund.store.repositories import table_counts
from pfund.store.tables import EvidenceFileRow
from tests.factories import make_organisation, make_project

HEADER = (
    "project,code,name,name_ru,unit,baseline,baseline_date,targets.2029,targets.2030,"
    "means_of_verification,means_of_verification_ru,regions,outcome\n"
)
SERVED = (
    "RES-01,people_served,People served,Обслуживаемые жители,people,0,2028-01-01,"
    "500000,1300000,Operator records,Учёт оператора,RU-TVE;RU-NGR,people_served\n"
)
DEATHS = (
    "RES-01,deaths_avoided,Road deaths avoided,Предотвращённые гибели,deaths,0,2028-01-01,"
    ",12,Police statistics,Статистика ГИБДД,,road_deaths_avoided_per_year\n"
)


@pytest.fixture
def project_rt(rt: Runtime) -> Runtime:
    """A fund holding project RES-01 (in progress), whose partner ORG-0003 is protected."""
    project = make_project(
        "RES-01",
        proponent="ORG-0001",
        partners=["ORG-0003"],
        contacts=[],
        stage=0,
        depends_on=[],
        excludes=[],
        status=ProjectStatus.IN_PROGRESS,
    )
    with rt.uow() as uow:
        uow.organisations.add_many(
            [
                make_organisation("ORG-0001"),
                make_organisation(
                    "ORG-0003", name="Tver Roadbuilders Cooperative", protected_fields=["name"]
                ),
            ]
        )
        uow.projects.add(project)
        AuditWriter(uow, rt.actor).record("project.created", "project", "RES-01")
        uow.commit()
    return rt


def write(tmp_path: Path, body: str, name: str = "indicators.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def refused(rt: Runtime, call: object, *args: object, **kwargs: object) -> list[Problem]:
    """Run ``call``, expect refusal, and check that nothing at all was written."""
    with rt.uow() as uow:
        before = table_counts(uow.session)
    with pytest.raises(InvalidInput) as info:
        call(*args, **kwargs)  # type: ignore[operator]
    with rt.uow() as uow:
        assert table_counts(uow.session) == before
    return info.value.problems


def test_import_stores_indicators_with_targets_and_an_audit_event(
    project_rt: Runtime, tmp_path: Path
) -> None:
    result = import_indicators(project_rt, write(tmp_path, SERVED + DEATHS))
    assert (result.imported, result.projects) == (2, ["RES-01"])
    shown = project_results(project_rt, "RES-01")
    served = next(v for v in shown.indicators if v.indicator.code == "people_served")
    assert served.indicator.name_ru == "Обслуживаемые жители"
    assert served.indicator.regions == ["RU-TVE", "RU-NGR"]
    assert served.indicator.baseline_date == date(2028, 1, 1)
    assert [(p.period, p.target) for p in served.periods] == [
        ("2029", Decimal(500000)),
        ("2030", Decimal(1300000)),
    ]
    with project_rt.uow() as uow:
        events = [e for e in uow.audit.list() if e.action == "results.framework_set"]
    assert [(e.record_id, e.details["indicators"]) for e in events] == [
        ("RES-01", ["people_served", "deaths_avoided"])
    ]


def test_reimport_replaces_the_projects_framework(project_rt: Runtime, tmp_path: Path) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED + DEATHS))
    import_indicators(project_rt, write(tmp_path, SERVED, name="again.csv"))
    assert [v.indicator.code for v in project_results(project_rt, "RES-01").indicators] == [
        "people_served"
    ]


def test_import_refuses_a_bad_row_and_writes_nothing_even_for_the_good_rows(
    project_rt: Runtime, tmp_path: Path
) -> None:
    bad = (
        "RES-01,km,Km built,Построено км,km,0,2028-01-01,5,10,,,RU-MOW,people_served\n"
        "NOPE,x_1,Something,Что-то,km,0,2028-01-01,1,2,,,,\n"
        "RES-01,later,Later one,Позже,km,0,2028-01-01,1,,,,,\n"
        "RES-01,people_served,Again,Снова,people,0,2028-01-01,1,2,,,,\n"
    )
    path = write(tmp_path, SERVED + bad)
    problems = refused(project_rt, import_indicators, project_rt, path)
    found = {(p.row, p.field) for p in problems}
    assert (3, "regions") in found  # RU-MOW is not one of RES-01's regions
    assert (3, "unit") in found  # people_served is counted in people, not km
    assert (4, "project") in found
    assert (6, "code") in found  # listed twice
    assert all(p.file == "indicators.csv" for p in problems)
    unit = next(p for p in problems if p.field == "unit")
    assert "'people'" in unit.reason


def test_import_refuses_an_outcome_the_project_does_not_predict(
    project_rt: Runtime, tmp_path: Path
) -> None:
    row = "RES-01,trees,Trees planted,Посажено деревьев,trees,0,2028-01-01,5,10,,,,trees\n"
    problems = refused(project_rt, import_indicators, project_rt, write(tmp_path, row))
    assert [(p.row, p.field) for p in problems] == [(2, "outcome")]
    assert "people_served" in problems[0].reason


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PartnerCam"  # Make
    exif[0x013B] = "Ivan Petrov"  # Artist
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (56.0, 51.0, 30.0)  # latitude
    gps[3], gps[4] = "E", (35.0, 54.0, 0.0)  # longitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _report(**values: str) -> ReportInput:
    units = {"people_served": "people", "deaths_avoided": "deaths"}
    return ReportInput(
        project="RES-01",
        period="2030",
        values=[
            ReportedValue(indicator=code, value=Decimal(v), unit=units.get(code, "km"))
            for code, v in values.items()
        ],
    )


def test_a_photo_is_stored_by_content_hash_without_its_exif_and_gps(
    project_rt: Runtime, tmp_path: Path
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED + DEATHS))
    link = issue_report_link(project_rt, "RES-01", "2030")
    photo = _jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the input has GPS
    stored = submit_by_token(
        project_rt,
        link.token,
        _report(people_served="1250000", deaths_avoided="9"),
        [Upload("IMG_0042.jpg", photo)],
        channel="form",
    )
    [evidence] = stored.evidence
    content = evidence_content(project_rt, evidence.sha256)
    assert hashlib.sha256(content).hexdigest() == evidence.sha256
    assert evidence.media_type == "image/jpeg"
    cleaned = Image.open(io.BytesIO(content))
    assert cleaned.size == (32, 24)
    assert not cleaned.getexif()
    assert "exif" not in cleaned.info
    for secret in (b"Exif", b"PartnerCam", b"Ivan Petrov"):
        assert secret not in content
    shown = project_results(project_rt, "RES-01")
    achieved = {v.indicator.code: v.periods[-1].achieved for v in shown.indicators}
    assert achieved == {"people_served": Decimal(1250000), "deaths_avoided": Decimal(9)}


def test_the_link_token_is_stored_only_as_its_keyed_hash(
    project_rt: Runtime, tmp_path: Path
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    link = issue_report_link(project_rt, "RES-01", "2030")
    with project_rt.uow() as uow:
        stored = uow.session.execute(text("SELECT token_hash FROM result_reports")).scalars().all()
    assert len(stored) == 1
    assert link.token not in stored[0]
    with pytest.raises(NotFound):
        submit_by_token(
            project_rt, link.token + "x", _report(people_served="1"), [], channel="form"
        )
    replaced = issue_report_link(project_rt, "RES-01", "2030")
    with pytest.raises(NotFound):  # the first link no longer opens the report
        submit_by_token(project_rt, link.token, _report(people_served="1"), [], channel="form")
    submit_by_token(project_rt, replaced.token, _report(people_served="1"), [], channel="form")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"people_served": "10", "trees": "3"}, "indicator"),
        ({"deaths_avoided": "3"}, "indicator"),  # not in this framework
    ],
)
def test_a_report_on_an_unknown_indicator_stores_nothing(
    project_rt: Runtime, tmp_path: Path, values: dict[str, str], field: str
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    link = issue_report_link(project_rt, "RES-01", "2030")
    problems = refused(
        project_rt, submit_by_token, project_rt, link.token, _report(**values), [], channel="form"
    )
    assert [p.field for p in problems] == [field]


def test_a_value_in_the_wrong_unit_stores_nothing(project_rt: Runtime, tmp_path: Path) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    report = ReportInput(
        project="RES-01",
        period="2030",
        values=[ReportedValue(indicator="people_served", value=Decimal(5), unit="households")],
    )
    link = issue_report_link(project_rt, "RES-01", "2030")
    problems = refused(
        project_rt, submit_by_token, project_rt, link.token, report, [], channel="form"
    )
    assert [p.field for p in problems] == ["unit"]
    assert "'people'" in problems[0].reason


def test_evidence_over_the_limit_or_of_a_refused_type_stores_nothing(
    project_rt: Runtime, tmp_path: Path
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    link = issue_report_link(project_rt, "RES-01", "2030")
    big = Upload("scan.pdf", b"%PDF-1.7\n" + b"0" * MAX_EVIDENCE_BYTES)
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    uploads = [big, Upload("map.gif", gif.getvalue()), Upload("notes.exe", b"MZ\x90\x00")]
    problems = refused(
        project_rt,
        submit_by_token,
        project_rt,
        link.token,
        _report(people_served="7"),
        uploads,
        channel="form",
    )
    assert [p.file for p in problems] == ["scan.pdf", "map.gif", "notes.exe"]
    assert "MiB" in problems[0].reason
    assert "GIF" in problems[1].reason
    with project_rt.uow() as uow:
        assert uow.session.scalars(select(EvidenceFileRow.sha256)).all() == []


def test_a_reports_file_is_all_or_nothing(project_rt: Runtime, tmp_path: Path) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED + DEATHS))
    header = "project,period,indicator,value,unit,region\n"
    good = (
        "RES-01,2030,people_served,1200000,people,\n"
        "RES-01,2030,people_served,700000,people,RU-TVE\n"
    )
    bad = "RES-01,2031,people_served,5,people,\nRES-01,2030,deaths_avoided,4,deaths,RU-MOW\n"
    problems = refused(
        project_rt, import_reports, project_rt, write(tmp_path, good + bad, "r.csv", header)
    )
    assert {(p.row, p.field) for p in problems} == {(4, "period"), (5, "region")}
    assert import_reports(project_rt, write(tmp_path, good, "ok.csv", header)) == [
        "RPT-RES-01-2030"
    ]


def test_late_lists_requested_and_never_requested_reports_past_due(
    project_rt: Runtime, tmp_path: Path
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    issue_report_link(project_rt, "RES-01", "2029", due_on=date(2030, 3, 1))
    late = late_reports(project_rt, today=date(2031, 3, 1))
    assert [(r.period, r.report, r.days_late) for r in late] == [
        ("2029", "RPT-RES-01-2029", 365),
        ("2030", None, 15),  # due 45 days after 31 December: 14 February, 15 days before
    ]
    link = issue_report_link(project_rt, "RES-01", "2030")
    submit_by_token(project_rt, link.token, _report(people_served="1"), [], channel="form")
    assert [r.period for r in late_reports(project_rt, today=date(2031, 3, 1))] == ["2029"]


def test_a_reported_value_changed_behind_the_logs_back_is_caught(
    project_rt: Runtime, tmp_path: Path
) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    header = "project,period,indicator,value,unit\n"
    import_reports(
        project_rt, write(tmp_path, "RES-01,2030,people_served,900,people\n", "r.csv", header)
    )
    with project_rt.uow() as uow:
        assert verify(uow).intact
        uow.session.execute(text("UPDATE result_values SET value = '1300000'"))
        uow.session.commit()
    with project_rt.uow() as uow:
        found = verify(uow)
    assert not found.intact
    assert [(b.table, b.kind) for b in found.row_breaks] == [("result_values", "changed")]


def test_regional_values_add_up_when_no_total_is_given(project_rt: Runtime, tmp_path: Path) -> None:
    import_indicators(project_rt, write(tmp_path, SERVED))
    header = "project,period,indicator,value,unit,region\n"
    rows = (
        "RES-01,2030,people_served,700,people,RU-TVE\n"
        "RES-01,2030,people_served,300.5,people,RU-NGR\n"
    )
    import_reports(project_rt, write(tmp_path, rows, "r.csv", header))
    [served] = project_results(project_rt, "RES-01").indicators
    assert served.periods[-1].achieved == Decimal("1000.5")


def test_a_project_with_the_longest_id_gets_a_report_id_the_store_holds(
    project_rt: Runtime, tmp_path: Path
) -> None:
    long_id = "LONG-" + "A" * 59
    with project_rt.uow() as uow:
        uow.projects.add(
            make_project(
                long_id,
                proponent=None,
                partners=[],
                contacts=[],
                stage=0,
                depends_on=[],
                excludes=[],
            )
        )
        AuditWriter(uow, project_rt.actor).record("project.created", "project", long_id)
        uow.commit()
    import_indicators(project_rt, write(tmp_path, SERVED.replace("RES-01", long_id)))
    link = issue_report_link(project_rt, long_id, "2030")
    assert len(link.report_id) <= 64 and link.report_id.endswith("-2030")
    sent = submit_by_token(
        project_rt,
        link.token,
        ReportInput(
            project=long_id,
            period="2030",
            values=[ReportedValue(indicator="people_served", value=Decimal(1), unit="people")],
        ),
        [],
        channel="form",
    )
    assert sent.id == link.report_id


def test_a_decreasing_indicator_imports_from_csv_and_a_target_above_its_baseline_is_refused(
    project_rt: Runtime, tmp_path: Path
) -> None:
    header = HEADER.replace(",outcome\n", ",outcome,direction\n")
    deaths = "RES-01,road_deaths,Road deaths,Гибель на дорогах,deaths,100,2028-01-01,80,60,,,,,"
    import_indicators(project_rt, write(tmp_path, deaths + "decrease\n", header=header))
    (view,) = project_results(project_rt, "RES-01").indicators
    assert view.indicator.direction.value == "decrease"
    # a target of 120 deaths is no reduction from the baseline of 100: refused, named
    worse = deaths.replace(",80,60,", ",120,60,") + "decrease\n"
    problems = refused(
        project_rt, import_indicators, project_rt, write(tmp_path, worse, header=header)
    )
    assert [(p.row, p.field) for p in problems] == [(2, "targets")]
    assert "below its baseline" in problems[0].reason
    # and a direction that is neither is named too
    odd = deaths + "sideways\n"
    problems = refused(
        project_rt, import_indicators, project_rt, write(tmp_path, odd, header=header)
    )
    assert [p.field for p in problems] == ["direction"]
