"""The IATI writer on its own: valid 2.03 XML, codes from the shipped codelists, and
organisations that protect their name shown by role only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from pydantic import ValidationError

from pfund.domain import ProtectionClass
from pfund.domain.protection import view
from pfund.io.dataset import load_dataset
from pfund.io.iati import (
    COMMITMENT,
    DISBURSEMENT,
    REPORTED_ONLY,
    VERIFIED,
    WITHHELD,
    Activity,
    ConditionText,
    Place,
    Publisher,
    ResultIndicator,
    ResultPeriod,
    Transaction,
    VerifiedCheck,
    activities_schema,
    activities_xml,
    indicator_measure,
)
from tests.factories import make_fund, make_project, make_synthetic_projects

NOW = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
PUBLISHER = Publisher(ref="XI-IATI-TST", name="Test Fund", name_ru="Тестовый фонд", country="RU")
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODELISTS = Path(str(files("pfund") / "data" / "iati" / "codelists"))


def codes(codelist: str, *, active_only: bool = False) -> set[str]:
    tree = etree.parse(str(CODELISTS / f"{codelist}.xml"))
    return {
        str(item.findtext("code"))
        for item in tree.iter("codelist-item")
        if not active_only or item.get("status", "active") == "active"
    }


def public(project: Any) -> dict[str, Any]:
    return view(project, audience=ProtectionClass.PUBLIC)


def activity(**overrides: Any) -> Activity:
    project = overrides.get("project") or public(make_project(title_ru="Трасса М-11"))
    values: dict[str, Any] = {
        "project": project,
        "status": "2",
        "years": sorted(project.get("costs") or [2030]),
        "currency": project.get("currency", "USD"),
        "sectors": [("1", "21020")],
        "implementers": ["Road Institute", None],
        "transactions": [
            Transaction(COMMITMENT, date(2030, 1, 2), Decimal("45000000"), "USD", "Commitment"),
            Transaction(DISBURSEMENT, date(2030, 3, 4), Decimal("1234.5"), "USD", "Paid"),
        ],
        "conditions": [ConditionText("1", "Ceasefire", "Перемирие", "Holds 90 days.")],
        "places": [Place("RU-TVE", "Tver Oblast", "Тверская область")],
    }
    return Activity(**values | overrides)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def one(el: etree._Element, path: str) -> etree._Element:
    found = el.find(path)
    assert found is not None, f"no {path}"
    return found


def attr(el: etree._Element, path: str, name: str) -> str:
    value = one(el, path).get(name) if path else el.get(name)
    assert value is not None, f"no {path}/@{name}"
    return value


def text(el: etree._Element) -> str:
    assert el.text is not None
    return el.text


def test_a_full_activity_validates_against_the_shipped_schema() -> None:
    root = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))
    activities_schema().assertValid(root)
    (el,) = root
    assert el.findtext("iati-identifier") == "XI-IATI-TST-TRN-M11-03"
    assert root.get("version") == "2.03"
    assert attr(el, "activity-date[@type='2']", "iso-date") == "2030-03-04"
    assert [v.text for v in el.iterfind("transaction/value")] == ["45000000.00", "1234.50"]


def test_synthetic_activities_validate_whatever_their_shape() -> None:
    projects = make_synthetic_projects(40, seed=3)
    items = [activity(project=public(p), implementers=[], conditions=[]) for p in projects]
    root = parse(activities_xml(PUBLISHER, items, generated=NOW))
    activities_schema().assertValid(root)
    assert len(root) == 40


def test_the_schema_rejects_what_the_writer_must_never_produce() -> None:
    root = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))
    root[0].remove(one(root[0], "reporting-org"))
    assert not activities_schema().validate(root)


def test_a_protected_partner_appears_by_role_only() -> None:
    el = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    implementing = el.findall("participating-org[@role='4']")
    names = [o.findtext("narrative") for o in implementing]
    assert names == ["Road Institute", WITHHELD[0]]
    assert all(o.get("ref") is None for o in implementing)
    assert attr(el, "participating-org[@role='1']", "ref") == PUBLISHER.ref


def test_no_implementer_role_without_a_proponent() -> None:
    el = parse(activities_xml(PUBLISHER, [activity(implementers=[])], generated=NOW))[0]
    assert el.findall("participating-org[@role='4']") == []


def test_russian_narratives_carry_their_language() -> None:
    el = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    assert el.get(LANG) == "en"
    title = one(el, "title").findall("narrative")
    assert [(n.get(LANG), n.text) for n in title][1] == ("ru", "Трасса М-11")
    location = one(el, "location[@ref='RU-TVE']/name")
    assert location.findall("narrative")[1].text == "Тверская область"


def test_budgets_follow_the_likely_cost_of_each_year() -> None:
    project = make_project()
    el = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    budgets = {
        attr(b, "period-start", "iso-date")[:4]: Decimal(text(one(b, "value")))
        for b in el.iterfind("budget")
    }
    assert budgets == {str(y): v for y, v in project.likely_cost_by_year().items()}


def test_conditions_are_attached_only_when_there_are_some() -> None:
    with_some = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    conditions = one(with_some, "conditions")
    assert attr(conditions, "", "attached") == "1"
    assert attr(conditions, "condition", "type") == "1"
    assert "Holds 90 days." in text(one(conditions, "condition/narrative"))
    none = parse(activities_xml(PUBLISHER, [activity(conditions=[])], generated=NOW))[0]
    assert attr(none, "conditions", "attached") == "0"
    assert len(one(none, "conditions")) == 0


def test_outcomes_become_indicators_from_low_to_likely() -> None:
    project = make_project()
    el = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    indicators = el.findall("result/indicator")
    assert len(indicators) == len(project.outcomes)
    for indicator, outcome in zip(indicators, project.outcomes.values(), strict=True):
        assert float(attr(indicator, "baseline", "value")) == outcome.value.low
        assert float(attr(indicator, "period/target", "value")) == outcome.value.likely


@pytest.mark.parametrize("n", [1, 3, 7])
def test_sector_percentages_add_up_to_100(n: int) -> None:
    sectors = [("2", str(110 + i)) for i in range(n)]
    el = parse(activities_xml(PUBLISHER, [activity(sectors=sectors)], generated=NOW))[0]
    shares = [Decimal(attr(s, "", "percentage")) for s in el.iterfind("sector")]
    assert len(shares) == n
    assert sum(shares) == 100


def test_every_code_written_is_in_the_shipped_codelists() -> None:
    el = parse(activities_xml(PUBLISHER, [activity()], generated=NOW))[0]
    assert {o.get("role") for o in el.iterfind("participating-org")} <= codes("OrganisationRole")
    assert attr(el, "activity-status", "code") in codes("ActivityStatus")
    types = {t.get("code") for t in el.iterfind("transaction/transaction-type")}
    assert types <= codes("TransactionType")
    assert {b.get("type") for b in el.iterfind("budget")} <= codes("BudgetType")
    assert {c.get("type") for c in el.iterfind("conditions/condition")} <= codes("ConditionType")
    assert {s.get("vocabulary") for s in el.iterfind("sector")} <= codes("SectorVocabulary")


def test_the_bundled_fund_reports_each_area_under_an_active_code_of_its_own_category() -> None:
    data = load_dataset()
    sector_tree = etree.parse(str(CODELISTS / "Sector.xml"))
    category = {
        str(item.findtext("code")): str(item.findtext("category"))
        for item in sector_tree.iter("codelist-item")
        if item.get("status", "active") == "active"
    }
    assert data.fund.iati_org_ref
    assert set(data.fund.iati_sectors) == {a.code for a in data.areas}
    for area in data.areas:
        code = data.fund.iati_sectors[area.code]
        assert code in category, f"{area.code}: {code} is not an active DAC code"
        assert category[code] in area.dac_categories, area.code


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("iati_org_ref", "XI IATI/RPF", "pattern"),
        ("iati_sectors", {"health": "122"}, "not a DAC 5-digit purpose code"),
    ],
)
def test_the_fund_refuses_an_iati_ref_or_sector_iati_would_reject(
    field: str, value: Any, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        make_fund(**{field: value})


def test_a_project_that_protects_its_public_fields_still_makes_a_valid_activity() -> None:
    hidden = ["title", "title_ru", "description", "area", "regions", "costs", "outcomes"]
    project = make_project(title_ru="Трасса М-11", protected_fields=hidden)
    shown = public(project)
    assert not set(hidden) & set(shown)
    root = parse(activities_xml(PUBLISHER, [activity(project=shown, places=[])], generated=NOW))
    activities_schema().assertValid(root)
    written = etree.tostring(root, encoding="unicode")
    assert project.title not in written
    assert project.description not in written
    assert text(one(root[0], "title/narrative")) == f"Project {project.id}"
    assert root[0].find("budget") is None and root[0].find("result") is None


def test_an_activity_without_years_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one year"):
        activity(years=[])


def test_descriptions_and_conditions_carry_their_russian_narratives() -> None:
    project = public(make_project(description="Barriers.", description_ru="Ограждения."))
    condition = ConditionText("1", "Ceasefire", "Перемирие", "Holds 90 days.", "Держится 90 дней.")
    el = parse(
        activities_xml(
            PUBLISHER, [activity(project=project, conditions=[condition])], generated=NOW
        )
    )[0]
    description = one(el, "description").findall("narrative")
    assert [(n.get(LANG), n.text) for n in description][1] == ("ru", "Ограждения.")
    narratives = one(el, "conditions/condition").findall("narrative")
    assert narratives[1].text == "Перемирие: Держится 90 дней."


def road_indicator(**overrides: Any) -> ResultIndicator:
    values: dict[str, Any] = {
        "code": "km_upgraded",
        "name": "Km upgraded",
        "name_ru": "Модернизировано, км",
        "unit": "km",
        "baseline": Decimal(0),
        "baseline_date": date(2028, 1, 1),
        "means_of_verification": "Works acceptance certificates",
        "means_of_verification_ru": "Акты приёмки работ",
        "periods": [
            ResultPeriod(
                date(2029, 1, 1),
                date(2029, 12, 31),
                Decimal(75),
                Decimal("80.5"),
                {"RU-TVE": Decimal(50), "RU-MOW": Decimal("30.5")},
            ),
            ResultPeriod(date(2030, 1, 1), date(2030, 6, 30), Decimal(150)),
        ],
    }
    return ResultIndicator(**values | overrides)


def test_each_indicator_is_a_result_with_baseline_periods_targets_and_actuals() -> None:
    deaths = road_indicator(code="deaths", name="Deaths avoided", unit="%", outcome=False)
    items = [road_indicator(), deaths]
    root = parse(activities_xml(PUBLISHER, [activity(indicators=items)], generated=NOW))
    activities_schema().assertValid(root)
    results = root[0].findall("result")
    assert [(r.get("type"), r.get("aggregation-status")) for r in results] == [
        ("2", "0"),
        ("1", "0"),
    ]
    title = one(results[0], "title").findall("narrative")
    assert [(n.get(LANG), n.text) for n in title] == [
        (None, "Km upgraded"),
        ("ru", "Модернизировано, км"),
    ]
    indicator = one(results[0], "indicator")
    assert (indicator.get("measure"), indicator.get("ascending")) == ("1", "1")
    assert attr(results[1], "indicator", "measure") == "2"
    assert text(one(indicator, "title/narrative")) == "Km upgraded (km)"
    assert text(one(indicator, "description/narrative")) == "Works acceptance certificates"
    baseline = one(indicator, "baseline")
    assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == (
        "2028",
        "2028-01-01",
        "0",
    )
    first, second = indicator.findall("period")
    assert [c.tag for c in first] == ["period-start", "period-end", "target", "actual", "actual"]
    assert attr(second, "period-end", "iso-date") == "2030-06-30"
    assert attr(first, "target", "value") == "75"
    total, *parts = first.findall("actual")
    assert total.find("location") is None and total.get("value") == "80.5"
    # only RU-TVE is a location of the activity; RU-MOW cannot be referred to
    assert [(p.get("value"), attr(p, "location", "ref")) for p in parts] == [("50", "RU-TVE")]
    assert text(one(total, "comment/narrative")) == REPORTED_ONLY[0]
    assert second.find("actual") is None
    assert root[0].find("result/indicator/title/narrative[.='Expected outcomes']") is None


def test_a_project_without_indicators_still_publishes_its_appraised_outcomes() -> None:
    el = parse(activities_xml(PUBLISHER, [activity(indicators=[])], generated=NOW))[0]
    assert text(one(el, "result/title/narrative")) == "Expected outcomes"


@pytest.mark.parametrize(
    ("unit", "code"), [("km", "1"), ("people", "1"), ("%", "2"), (" Percent ", "2")]
)
def test_units_map_to_the_indicator_measure_codelist(unit: str, code: str) -> None:
    assert indicator_measure(unit) == code


def test_results_come_after_conditions_as_the_schema_orders_them() -> None:
    root = parse(
        activities_xml(PUBLISHER, [activity(indicators=[road_indicator()])], generated=NOW)
    )
    tags = [c.tag for c in root[0]]
    assert tags.index("conditions") < tags.index("result")
    # the schema refuses a result moved before the conditions: the order is checked
    result = one(root[0], "result")
    one(root[0], "conditions").addprevious(result)
    assert not activities_schema().validate(root)


def test_a_verified_actual_is_the_verified_value_and_says_how_it_was_found() -> None:
    check = VerifiedCheck(
        verification="VER-00001",
        reported=Decimal("80.5"),
        factor=0.9,
        factor_lower=0.85,
        factor_upper=0.95,
        confidence=0.95,
        verified_lower=Decimal("68.425"),
        verified_upper=Decimal("76.475"),
    )
    # 80.5 reported x factor 0.9 = 72.45 verified
    verified = ResultPeriod(
        date(2029, 1, 1),
        date(2029, 12, 31),
        Decimal(75),
        Decimal("72.45"),
        {"RU-TVE": Decimal(50)},
        verified=True,
        check=check,
    )
    deaths = road_indicator(
        code="road_deaths",
        unit="deaths",
        baseline=Decimal(100),
        ascending=False,
        periods=[verified],
    )
    root = parse(activities_xml(PUBLISHER, [activity(indicators=[deaths])], generated=NOW))
    activities_schema().assertValid(root)
    indicator = one(root[0], "result/indicator")
    assert indicator.get("ascending") == "0"  # lower is better, whatever the targets say
    total, part = indicator.findall("period/actual")
    assert total.get("value") == "72.45"
    english, russian = total.findall("comment/narrative")
    assert english.text is not None and english.text.startswith(VERIFIED[0])
    for words in ("VER-00001", "reported 80.5", "factor 0.9000", "95% interval 0.8500 to 0.9500"):
        assert words in english.text, words
    assert russian.get(LANG) == "ru" and "коэффициент проверки 0.9000" in (russian.text or "")
    # a region's part is the partner's reported figure: the sample checked the total
    assert part.get("value") == "50"
    assert text(one(part, "comment/narrative")) == REPORTED_ONLY[0]
