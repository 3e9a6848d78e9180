"""IATI 2.03 activity XML, written from public views only.

The writer never sees a domain object: it is handed the public view of each project
(``view(project, audience=PUBLIC)``) and small records the service built from other
public views, so nothing protected or internal can reach the file by a slip here.
Codes come from the IATI codelists shipped in ``pfund/data/iati/codelists`` (see its
README); the few from codelists not shipped are named where they are used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from lxml import etree

IATI_VERSION = "2.03"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CENT = Decimal("0.01")

# OrganisationRole codelist
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"
# TransactionType codelist
COMMITMENT, DISBURSEMENT = "2", "3"
# ActivityDateType codelist (not shipped): 1 planned start, 2 actual start, 3 planned end
PLANNED_START, ACTUAL_START, PLANNED_END = "1", "2", "3"
# ResultType codelist (not shipped): 1 output, 2 outcome
OUTPUT, OUTCOME = "1", "2"
# IndicatorMeasure codelist (not shipped): 1 unit (a count or quantity), 2 percentage
MEASURE_UNIT, MEASURE_PERCENTAGE = "1", "2"
PERCENT_UNITS = {"%", "percent", "per cent", "percentage", "процент", "процентов"}
REPORTED_ONLY = (
    "Reported by the implementing partner; not yet independently verified",
    "Сообщено партнёром-исполнителем; ещё не проверено независимо",
)
VERIFIED = (
    "Verified independently on a sample of the reported units",
    "Проверено независимо на выборке заявленных единиц",
)
WITHHELD = (
    "Implementing partner (name withheld for the partner's safety)",
    "Партнёр-исполнитель (название не раскрывается ради безопасности партнёра)",
)


def schema_dir() -> Path:
    """The shipped IATI 2.03 schemas (activities, organisations, common, xml)."""
    return Path(str(files("pfund") / "data" / "iati" / "schemas-2.03"))


def activities_schema() -> etree.XMLSchema:
    """The official activities schema, loaded from the package (no network)."""
    return etree.XMLSchema(etree.parse(str(schema_dir() / "iati-activities-schema.xsd")))


@dataclass(frozen=True)
class Publisher:
    """The reporting organisation: the fund, from its public definition.

    ``org_type`` is from the OrganisationType codelist (not shipped): 40 multilateral,
    which is what a fund pooled by many states is.
    """

    ref: str
    name: str
    name_ru: str
    country: str
    org_type: str = "40"


@dataclass(frozen=True)
class Transaction:
    """One ledger movement as IATI sees it; negative values undo a commitment or payment."""

    code: str
    on: date
    value: Decimal
    currency: str
    description: str


@dataclass(frozen=True)
class ConditionText:
    """A condition an activity depends on, in the public words of the register."""

    type: str
    title: str
    title_ru: str
    definition: str
    definition_ru: str = ""


@dataclass(frozen=True)
class Place:
    """A region where the activity helps (ISO 3166-2 code and names)."""

    code: str
    name: str
    name_ru: str


@dataclass(frozen=True)
class ResultPeriod:
    """One period of an indicator: its target and, once reported, the actual value.

    ``by_region`` holds the actual value's parts per region (ISO 3166-2 codes); the
    writer keeps only regions the activity lists as locations, since IATI refers to
    them by the location's ``ref``. ``verified`` says whether ``actual`` was verified
    independently; until then it is the partner's reported value, and the file says so.
    """

    start: date
    end: date
    target: Decimal
    actual: Decimal | None = None
    by_region: Mapping[str, Decimal] = field(default_factory=dict)
    verified: bool = False
    # once verified: what the partner reported and how the verifier found it, for the
    # actual's comment (``actual`` is then the verified value)
    check: VerifiedCheck | None = None


@dataclass(frozen=True)
class VerifiedCheck:
    """The verification behind a verified actual: reported value, factor and interval."""

    verification: str
    reported: Decimal
    factor: float
    factor_lower: float
    factor_upper: float
    confidence: float
    verified_lower: Decimal
    verified_upper: Decimal

    def comment(self) -> tuple[str, str]:
        f, lo, hi = f"{self.factor:.4f}", f"{self.factor_lower:.4f}", f"{self.factor_upper:.4f}"
        conf = f"{self.confidence:.0%}"
        rep, vlo, vhi = (
            _number(x) for x in (self.reported, self.verified_lower, self.verified_upper)
        )
        return (
            f"{VERIFIED[0]} ({self.verification}): the verified value is the reported {rep} "
            f"times the verification factor {f} ({conf} interval {lo} to {hi}); "
            f"verified value interval {vlo} to {vhi}",
            f"{VERIFIED[1]} ({self.verification}): проверенное значение — сообщённое {rep}, "
            f"умноженное на коэффициент проверки {f} ({conf}-й интервал от {lo} до {hi}); "
            f"интервал проверенного значения от {vlo} до {vhi}",
        )


@dataclass(frozen=True)
class ResultIndicator:
    """One indicator of the project's results framework, all of it public.

    ``outcome`` is true when the indicator measures an outcome the appraisal predicted
    (ResultType 2 outcome); otherwise it counts what the project delivers (1 output).
    """

    code: str
    name: str
    name_ru: str
    unit: str
    baseline: Decimal
    baseline_date: date
    periods: Sequence[ResultPeriod]
    unit_ru: str = ""
    outcome: bool = True
    means_of_verification: str = ""
    means_of_verification_ru: str = ""
    # True when more is better, False when lower is (deaths, costs, emissions); None:
    # read from the targets against the baseline
    ascending: bool | None = None


@dataclass(frozen=True)
class Activity:
    """Everything one ``iati-activity`` says, all of it public.

    ``implementers`` holds the public name of each implementing organisation, or None
    for one whose name is protected: it is shown by its role only. ``years`` are the
    years the activity spans (its cost years, or its tranches' when costs are protected).
    A project view may lack any field its record protects; the activity then says less.
    """

    project: Mapping[str, Any]
    status: str
    years: Sequence[int]
    currency: str
    sectors: Sequence[tuple[str, str]]
    implementers: Sequence[str | None] = ()
    transactions: Sequence[Transaction] = ()
    conditions: Sequence[ConditionText] = ()
    places: Sequence[Place] = ()
    indicators: Sequence[ResultIndicator] = ()

    def __post_init__(self) -> None:
        if not self.years:
            raise ValueError(f"activity {self.project.get('id')} needs at least one year")


def activities_xml(
    publisher: Publisher, activities: Iterable[Activity], *, generated: datetime
) -> bytes:
    """The ``iati-activities`` document, UTF-8 with an XML declaration."""
    root = etree.Element(
        "iati-activities", version=IATI_VERSION, attrib={"generated-datetime": _time(generated)}
    )
    for activity in activities:
        root.append(activity_element(publisher, activity, generated=generated))
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def activity_element(
    publisher: Publisher, activity: Activity, *, generated: datetime
) -> etree._Element:
    """One ``iati-activity``, its children in the order the schema requires."""
    p = activity.project
    el = etree.Element(
        "iati-activity",
        attrib={
            "last-updated-datetime": _time(generated),
            LANG: "en",
            "default-currency": activity.currency,
        },
    )
    _text(el, "iati-identifier", f"{publisher.ref}-{p['id']}")
    _reporting_org(el, publisher)
    title = p.get("title") or f"Project {p['id']}"
    _narratives(etree.SubElement(el, "title"), title, p.get("title_ru", ""))
    description = etree.SubElement(el, "description", type="1")  # DescriptionType 1 general
    _narratives(description, p.get("description") or title, p.get("description_ru", ""))
    _participants(el, publisher, activity.implementers)
    etree.SubElement(el, "activity-status", code=activity.status)
    _dates(el, activity.years, activity.transactions)
    etree.SubElement(el, "recipient-country", code=publisher.country, percentage="100")
    for place in activity.places:
        _location(el, place)
    _sectors(el, activity.sectors)
    _budgets(el, p, activity.currency)
    for transaction in activity.transactions:
        _transaction(el, publisher, transaction)
    _conditions(el, activity.conditions)
    if activity.indicators:
        places = {place.code for place in activity.places}
        for indicator in activity.indicators:
            _result(el, indicator, places)
    else:
        _results(el, p, activity.years)
    return el


def _reporting_org(parent: etree._Element, publisher: Publisher) -> None:
    org = etree.SubElement(parent, "reporting-org", ref=publisher.ref, type=publisher.org_type)
    _narratives(org, publisher.name, publisher.name_ru)


def _participants(
    parent: etree._Element, publisher: Publisher, implementers: Sequence[str | None]
) -> None:
    """The fund funds; implementers are named when public, else shown by role alone."""
    funder = etree.SubElement(
        parent, "participating-org", role=ROLE_FUNDING, ref=publisher.ref, type=publisher.org_type
    )
    _narratives(funder, publisher.name, publisher.name_ru)
    named = sorted({n for n in implementers if n})
    for name in named:
        _narratives(etree.SubElement(parent, "participating-org", role=ROLE_IMPLEMENTING), name)
    if any(n is None for n in implementers):
        org = etree.SubElement(parent, "participating-org", role=ROLE_IMPLEMENTING)
        _narratives(org, *WITHHELD)


def _dates(
    parent: etree._Element, years: Sequence[int], transactions: Sequence[Transaction]
) -> None:
    _date(parent, PLANNED_START, date(years[0], 1, 1))
    paid = [t.on for t in transactions if t.code == DISBURSEMENT and t.value > 0]
    if paid:
        _date(parent, ACTUAL_START, min(paid))
    _date(parent, PLANNED_END, date(years[-1], 12, 31))


def _date(parent: etree._Element, kind: str, on: date) -> None:
    etree.SubElement(parent, "activity-date", type=kind, attrib={"iso-date": on.isoformat()})


def _location(parent: etree._Element, place: Place) -> None:
    """GeographicLocationReach 2 (intended beneficiaries), LocationClass 1 (admin region)."""
    el = etree.SubElement(parent, "location", ref=place.code)
    etree.SubElement(el, "location-reach", code="2")
    _narratives(etree.SubElement(el, "name"), place.name, place.name_ru)
    etree.SubElement(el, "location-class", code="1")


def _sectors(parent: etree._Element, sectors: Sequence[tuple[str, str]]) -> None:
    """Sectors as (vocabulary, code); percentages split evenly within each vocabulary."""
    by_vocabulary: dict[str, list[str]] = {}
    for vocabulary, code in sectors:
        by_vocabulary.setdefault(vocabulary, []).append(code)
    for vocabulary, codes in by_vocabulary.items():
        for code, share in zip(codes, _shares(len(codes)), strict=True):
            attrib = {"vocabulary": vocabulary, "code": code, "percentage": str(share)}
            etree.SubElement(parent, "sector", attrib=attrib)


def _shares(n: int) -> list[Decimal]:
    """``n`` percentages with two decimals that add up to exactly 100."""
    base = (Decimal(100) / n).quantize(CENT, rounding=ROUND_DOWN)
    return [base + (Decimal(100) - base * n if i == 0 else 0) for i in range(n)]


def _budgets(parent: etree._Element, project: Mapping[str, Any], currency: str) -> None:
    """One original (BudgetType 1), indicative (BudgetStatus 1) budget per year of cost."""
    for year, cost in sorted((project.get("costs") or {}).items()):
        amount = sum((Decimal(str(part["likely"])) for part in cost.values() if part), Decimal(0))
        if amount <= 0:
            continue
        budget = etree.SubElement(parent, "budget", type="1", status="1")
        start = date(int(year), 1, 1)
        etree.SubElement(budget, "period-start", attrib={"iso-date": start.isoformat()})
        etree.SubElement(budget, "period-end", attrib={"iso-date": f"{int(year)}-12-31"})
        _value(budget, amount, currency, start)


def _transaction(parent: etree._Element, publisher: Publisher, t: Transaction) -> None:
    el = etree.SubElement(parent, "transaction")
    etree.SubElement(el, "transaction-type", code=t.code)
    etree.SubElement(el, "transaction-date", attrib={"iso-date": t.on.isoformat()})
    _value(el, t.value, t.currency, t.on)
    _narratives(etree.SubElement(el, "description"), t.description)
    provider = etree.SubElement(el, "provider-org", ref=publisher.ref, type=publisher.org_type)
    _narratives(provider, publisher.name)


def _conditions(parent: etree._Element, conditions: Sequence[ConditionText]) -> None:
    """Each political condition the money waits for; attached="0" when there is none."""
    el = etree.SubElement(parent, "conditions", attached="1" if conditions else "0")
    for c in conditions:
        condition = etree.SubElement(el, "condition", type=c.type)
        russian = (
            f"{c.title_ru}: {c.definition_ru}" if c.title_ru and c.definition_ru else c.title_ru
        )
        _narratives(condition, f"{c.title}: {c.definition}", russian)


def indicator_measure(unit: str) -> str:
    """The IndicatorMeasure code of a pfund unit: 2 (percentage) for a unit that is a
    percentage, else 1 (unit). pfund's values are numbers (``Decimal``), so the
    qualitative, nominal and ordinal measures never apply; the unit's own words ("km",
    "people") go in the indicator's title, since IATI has no unit attribute.
    """
    return MEASURE_PERCENTAGE if unit.strip().lower() in PERCENT_UNITS else MEASURE_UNIT


def _result(parent: etree._Element, item: ResultIndicator, places: set[str]) -> None:
    """One ``result`` per indicator, its children in the schema's order: title, (the
    means of verification as the indicator's description), baseline, then each period
    with its target and actual.

    aggregation-status is 0: a pfund unit is the project's own free text, not a shared
    indicator vocabulary, so a reader should not add values across activities.
    ascending is the indicator's direction (0 where lower is better), or, when it is not
    given, 1 when the last target is at or above the baseline.

    An actual that a verifier checked is the verified value (reported × factor), and its
    comment says so with the reported value, the factor and both intervals; one not
    checked is the partner's reported value, and its comment says it is not verified.
    """
    result = etree.SubElement(
        parent,
        "result",
        type=OUTCOME if item.outcome else OUTPUT,
        attrib={"aggregation-status": "0"},
    )
    _narratives(etree.SubElement(result, "title"), item.name, item.name_ru)
    last = list(item.periods)[-1].target if item.periods else item.baseline
    indicator = etree.SubElement(
        result,
        "indicator",
        measure=indicator_measure(item.unit),
        ascending="1"
        if (last >= item.baseline if item.ascending is None else item.ascending)
        else "0",
    )
    _narratives(
        etree.SubElement(indicator, "title"),
        f"{item.name} ({item.unit})",
        f"{item.name_ru} ({item.unit_ru or item.unit})" if item.name_ru else "",
    )
    if item.means_of_verification:
        _narratives(
            etree.SubElement(indicator, "description"),
            item.means_of_verification,
            item.means_of_verification_ru,
        )
    etree.SubElement(
        indicator,
        "baseline",
        year=str(item.baseline_date.year),
        attrib={"iso-date": item.baseline_date.isoformat(), "value": _number(item.baseline)},
    )
    for p in item.periods:
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start", attrib={"iso-date": p.start.isoformat()})
        etree.SubElement(period, "period-end", attrib={"iso-date": p.end.isoformat()})
        etree.SubElement(period, "target", value=_number(p.target))
        if p.actual is None:
            continue
        words = p.check.comment() if p.check else VERIFIED if p.verified else REPORTED_ONLY
        actual = etree.SubElement(period, "actual", value=_number(p.actual))
        _narratives(etree.SubElement(actual, "comment"), *words)
        for region, value in p.by_region.items():
            if region in places:
                # a region's part is the partner's reported one: the sample checks the total
                part = etree.SubElement(period, "actual", value=_number(value))
                etree.SubElement(part, "location", ref=region)
                parts = REPORTED_ONLY if p.check else words
                _narratives(etree.SubElement(part, "comment"), *parts)


def _results(parent: etree._Element, project: Mapping[str, Any], years: Sequence[int]) -> None:
    """For a project without a results framework: outcome indicators (ResultType 2;
    IndicatorMeasure 1, unit): the appraisal's low estimate as the baseline and its
    likely estimate as the target over the project's years.
    """
    outcomes: Mapping[str, Any] = project.get("outcomes") or {}
    if not outcomes:
        return
    result = etree.SubElement(parent, "result", type="2")
    _narratives(etree.SubElement(result, "title"), "Expected outcomes", "Ожидаемые результаты")
    for name, outcome in outcomes.items():
        value, unit = outcome["value"], outcome.get("unit", "")
        indicator = etree.SubElement(result, "indicator", measure="1", ascending="1")
        title = name.replace("_", " ").capitalize() + (f" ({unit})" if unit else "")
        _narratives(etree.SubElement(indicator, "title"), title)
        baseline = etree.SubElement(
            indicator, "baseline", year=str(years[0]), value=_number(value["low"])
        )
        _narratives(etree.SubElement(baseline, "comment"), "Low estimate at appraisal")
        period = etree.SubElement(indicator, "period")
        etree.SubElement(period, "period-start", attrib={"iso-date": f"{years[0]}-01-01"})
        etree.SubElement(period, "period-end", attrib={"iso-date": f"{years[-1]}-12-31"})
        target = etree.SubElement(period, "target", value=_number(value["likely"]))
        _narratives(etree.SubElement(target, "comment"), "Likely estimate at appraisal")


def _value(parent: etree._Element, amount: Decimal, currency: str, on: date) -> None:
    el = etree.SubElement(parent, "value", currency=currency, attrib={"value-date": on.isoformat()})
    el.text = format(amount.quantize(CENT), "f")


def _narratives(parent: etree._Element, english: str, russian: str = "") -> None:
    """English narrative (the activity's default language), then Russian when given."""
    _text(parent, "narrative", english)
    if russian:
        _text(parent, "narrative", russian).set(LANG, "ru")


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, tag)
    el.text = text
    return el


def _number(value: Any) -> str:
    """A quantity without float noise or exponent: 1300000.0 -> '1300000'."""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


def _time(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
