"""Results in the public outputs of the sample fund: the results dataset, the IATI
file's ``<result>`` elements and the read model behind the portal's results page agree,
and a partner's reported value is published as reported, never as verified."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from lxml import etree

from pfund.domain.results import ReportedValue, ReportInput
from pfund.io.iati import REPORTED_ONLY, activities_schema
from pfund.services.audit import AuditWriter
from pfund.services.opendata import iati_xml, public_dataset
from pfund.services.results import project_results, submit_report
from pfund.services.results_public import REPORTED, public_results
from pfund.services.runtime import Runtime

LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def reported(approved_rt: Runtime) -> Runtime:
    """The sample fund, approved (a copy of the database ``approved_rt`` makes once per
    process), with TRN-M11-01's 2029 report: 80 km in total, of which 50 in Tver Oblast."""
    rt = approved_rt
    values = [
        ReportedValue(indicator="km_upgraded", value=Decimal(80), unit="km"),
        ReportedValue(indicator="km_upgraded", value=Decimal(50), unit="km", region="RU-TVE"),
    ]
    report = ReportInput(project="TRN-M11-01", period="2029", values=values)
    submit_report(rt, report, [], channel="api")
    return rt


def test_the_dataset_has_a_row_per_indicator_and_period_with_reported_values_flagged(
    reported: Runtime,
) -> None:
    rows = json.loads(public_dataset(reported, "results", "json"))["results"]
    shown = public_results(reported)
    assert len(rows) == sum(len(i.periods) for p in shown for i in p.indicators) > 100
    km = {
        r["period"]: r
        for r in rows
        if (r["project_id"], r["indicator"]) == ("TRN-M11-01", "km_upgraded")
    }
    assert km["2029"]["achieved"] == "80" and km["2029"]["status"] == REPORTED
    assert km["2029"]["achieved_by_region"] == {"RU-TVE": "50"}
    assert km["2029"]["target"] == "75" and km["2029"]["period_end"] == "2029-12-31"
    assert (km["2029"]["name_ru"], km["2029"]["unit_ru"]) == ("Модернизировано, км", "км")
    assert km["2030"]["achieved"] is None and km["2030"]["status"] == "not_reported"
    table = list(csv.DictReader(io.StringIO(public_dataset(reported, "results", "csv").decode())))
    row = next(
        r
        for r in table
        if r["project_id"] == "TRN-M11-01"
        and r["period"] == "2029"
        and r["indicator"] == "km_upgraded"
    )
    assert (row["achieved"], row["achieved_by_region.RU-TVE"], row["status"]) == (
        "80",
        "50",
        "reported",
    )
    assert all("note" not in key for key in table[0])


def test_the_iati_file_carries_each_indicator_with_the_reported_actual(reported: Runtime) -> None:
    root = etree.fromstring(iati_xml(reported))
    activities_schema().assertValid(root)
    activity = next(a for a in root if str(a.findtext("iati-identifier")).endswith("TRN-M11-01"))
    results = activity.findall("result")
    shown = next(p for p in public_results(reported) if p.id == "TRN-M11-01")
    assert len(results) == len(shown.indicators)
    km = next(r for r in results if r.findtext("title/narrative") == "Km upgraded")
    names = km.findall("title/narrative")
    assert [(n.get(LANG), n.text) for n in names][1] == ("ru", "Модернизировано, км")
    period = km.findall("indicator/period")[0]
    assert period.find("period-start").get("iso-date") == "2029-01-01"  # type: ignore[union-attr]
    total, tver = period.findall("actual")
    assert total.get("value") == "80" and tver.get("value") == "50"
    assert tver.find("location").get("ref") == "RU-TVE"  # type: ignore[union-attr]
    assert total.findtext("comment/narrative") == REPORTED_ONLY[0]
    # nothing reported for 2030: a target and no actual
    assert km.findall("indicator/period")[1].find("actual") is None


def test_a_project_that_protects_its_outcomes_publishes_no_indicator(reported: Runtime) -> None:
    with reported.uow() as uow:
        project = uow.projects.get("TRN-M11-01")
        assert project is not None
        hidden = [*project.protected_fields, "outcomes"]
        uow.projects.replace(project.model_copy(update={"protected_fields": hidden}))
        AuditWriter(uow, "test").record("project.updated", "project", project.id, {})
        uow.commit()
    assert "TRN-M11-01" not in {p.id for p in public_results(reported)}
    assert project_results(reported, "TRN-M11-01", public=True).indicators == []
    assert project_results(reported, "TRN-M11-01").indicators  # staff still see them
    rows = json.loads(public_dataset(reported, "results", "json"))["results"]
    assert rows and not [r for r in rows if r["project_id"] == "TRN-M11-01"]
    root = etree.fromstring(iati_xml(reported))
    activity = next(a for a in root if str(a.findtext("iati-identifier")).endswith("TRN-M11-01"))
    assert activity.find("result") is None
