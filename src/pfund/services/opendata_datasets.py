"""The public datasets behind the portal's downloads, as CSV or JSON.

Each dataset is built from ``view(record, audience=PUBLIC)`` and nothing else; its
builder's docstring says what it leaves out and why. JSON keeps the nested shape of the
views; CSV flattens it (lists joined by ';', nested values in dotted columns).
"""

from __future__ import annotations

import csv
import inspect
import io
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from pfund.domain import LedgerAccount, ProtectionClass
from pfund.domain.fx import ECB_BASE
from pfund.domain.project import INTAKE_STATUSES, is_public
from pfund.domain.protection import view
from pfund.errors import InvalidInput, Problem
from pfund.funding import contributor_positions, project_balances
from pfund.funding.book import movement
from pfund.io.flat import flatten_organisation, flatten_project
from pfund.services.audit import published_head
from pfund.services.grievance_stats import open_rows
from pfund.services.results_public import read_public_results
from pfund.services.runtime import Runtime
from pfund.services.verified import VerifiedFigure
from pfund.store.unit_of_work import UnitOfWork

PUBLIC = ProtectionClass.PUBLIC
FORMATS = ("csv", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
}
Rows = list[dict[str, Any]]


def projects(uow: UnitOfWork) -> Rows:
    """Every project in the pipeline, proposals included, with its public fields.

    Left out: projects the fund has not published, and every proposal not taken in
    (``submitted`` and the rest of intake: anyone can send one, so a person reads it
    before it is published),
    contact people (protected), internal notes and the record's own protection list
    (internal), and any field the record asked to protect.
    """
    return [view(p, audience=PUBLIC) for p in uow.projects.list(published=True) if is_public(p)]


def organisations(uow: UnitOfWork) -> Rows:
    """Partners and counterparties with their public fields.

    Left out: the name and website of an organisation that protects them (its alias
    stands in), the vetting checklist (reviewers are protected, the rest is internal),
    a company's re-engagement talks and internal notes (internal).
    """
    return [view(o, audience=PUBLIC) for o in uow.organisations.list()]


def contributors(uow: UnitOfWork) -> Rows:
    """Each member state's GDP year and share, with what it pledged and paid in the ledger.

    Left out: ledger memos (internal). Pledges and receipts are summed per member over
    all years, as the ledger keeps them.
    """
    positions = contributor_positions(uow.ledger.list())
    rows = []
    for c in uow.reference.contributors():
        row = view(c, audience=PUBLIC)
        position = positions.get(c.iso3)
        row["pledged_usd"] = position.pledged if position else Decimal(0)
        row["received_usd"] = position.received if position else Decimal(0)
        rows.append(row)
    return rows


def conditions(uow: UnitOfWork) -> Rows:
    """The political conditions, where each stands, and the stage it belongs to.

    Left out: who changed a status in the store (the actor is internal); the verifier
    and evidence of the protocol are public and included.
    """
    stage_of = {code: s.number for s in uow.stages.list() for code in s.conditions}
    return [
        view(c, audience=PUBLIC) | {"stage": stage_of.get(c.code)} for c in uow.conditions.list()
    ]


def tranches(uow: UnitOfWork) -> Rows:
    """Every scheduled payment: project, year, amount, status and the conditions it needs.

    Left out: tranches of projects the fund has not published; cancelled tranches stay,
    so a reader can follow a rescheduled project.
    """
    shown = uow.projects.published_ids(hidden=INTAKE_STATUSES)
    return [view(t, audience=PUBLIC) for t in uow.tranches.list() if t.project_id in shown]


def ledger(uow: UnitOfWork) -> Rows:
    """Money per project from the double-entry ledger: committed and disbursed in total
    (net of money returned), the exchange gains and losses its payments, refunds and
    repayments in another currency brought the fund, and what sits in each account now.

    Left out: the individual entries' memos and times (internal bookkeeping; the IATI
    file carries the dated transactions) and projects the fund has not published.
    """
    shown = uow.projects.published_ids(hidden=INTAKE_STATUSES)
    entries = [e for e in uow.ledger.list() if e.project_id in shown]
    currency = {e.project_id: e.currency for e in entries if e.project_id}
    flows: dict[str, dict[str, Decimal]] = {}
    for e in entries:
        if not e.project_id:
            continue
        totals = flows.setdefault(e.project_id, {"committed": Decimal(0), "disbursed": Decimal(0)})
        moved = flow(e.debit, e.credit)
        if moved is not None:
            totals[moved[0]] += moved[1] * e.amount
    exchange: dict[str, dict[str, Decimal]] = {}
    for e in entries:
        if e.project_id and LedgerAccount.EXCHANGE_GAIN in (e.debit, e.credit):
            exchange.setdefault(e.project_id, {}).setdefault("exchange_gain", Decimal(0))
            exchange[e.project_id]["exchange_gain"] += e.amount
        elif e.project_id and LedgerAccount.EXCHANGE_LOSS in (e.debit, e.credit):
            exchange.setdefault(e.project_id, {}).setdefault("exchange_loss", Decimal(0))
            exchange[e.project_id]["exchange_loss"] += e.amount
    rows = []
    for project_id, balances in sorted(project_balances(entries).items()):
        row: dict[str, Any] = {"project_id": project_id, "currency": currency[project_id]}
        row |= {f"total_{k}": v for k, v in flows.get(project_id, {}).items()}
        gains = exchange.get(project_id, {})
        row |= {f"total_{k}": gains.get(k, Decimal(0)) for k in ("exchange_gain", "exchange_loss")}
        row |= {f"now_{a.value}": v for a, v in balances.items()}
        rows.append(row)
    return rows


def ledger_entries(uow: UnitOfWork) -> Rows:
    """Every ledger entry of a published project, one row each: its date, movement,
    project, tranche, amount and currency (the fund's); for an entry converted from
    another currency, its original amount and currency, the rate used (1 original =
    rate in the fund's currency), the rate's date and the rates' source, in English and
    in Russian (``rate_source_ru``). Exchange gains and losses are entries of their own.

    Left out: the entries' memos and times of day (internal bookkeeping), contributions
    (in the contributors dataset) and projects the fund has not published.
    """
    shown = uow.projects.published_ids(hidden=INTAKE_STATUSES)
    sources: dict[tuple[str, str, date], tuple[str, str]] = {}

    def source(original: str, currency: str, day: date) -> tuple[str, str]:
        leg = currency if original == ECB_BASE else original
        key = (ECB_BASE, leg, day)
        if key not in sources:
            found = uow.rates.latest(ECB_BASE, leg, day)
            sources[key] = (found.source, found.source_ru) if found is not None else ("", "")
        return sources[key]

    rows: Rows = []
    for e in uow.ledger.list():
        if e.project_id not in shown:
            continue
        said = (
            source(e.fx_currency, e.currency, e.fx_rate_date)
            if e.fx_currency is not None and e.fx_rate_date is not None
            else None
        )
        rows.append(
            {
                "date": e.at.date(),
                "movement": movement(e),
                "debit": e.debit.value,
                "credit": e.credit.value,
                "project_id": e.project_id,
                "tranche_id": e.tranche_id,
                "amount": e.amount,
                "currency": e.currency,
                "original_amount": e.fx_amount,
                "original_currency": e.fx_currency,
                "rate": e.fx_rate,
                "rate_date": e.fx_rate_date,
                "rate_source": said[0] if said else None,
                "rate_source_ru": said[1] if said else None,
            }
        )
    return rows


def results(uow: UnitOfWork) -> Rows:
    """Each indicator of each public project in each period: the indicator's names in
    English and Russian, unit (in both), baseline and means of verification, the period's dates,
    its target and the value achieved. ``status`` says where that value stands:
    ``verified`` on a sample, ``reported`` by the partner and not yet verified, or
    ``not_reported``. ``direction`` is ``decrease`` where lower is better (deaths, costs,
    emissions), ``increase`` otherwise. Where the project's regions are public,
    ``achieved_by_region`` gives the reported parts. A verified value gives its
    ``verification``, the ``verification_factor`` with its interval (``factor_lower``,
    ``factor_upper``) at ``confidence``, the ``verified`` value (achieved × factor) with
    its interval (``verified_lower``, ``verified_upper``), and ``paid`` (in ``paid_currency``): what
    the fund paid on the tranches linked to it.

    Left out: projects the portal does not show, the breakdown by region of a project
    that protects its regions, partners' notes on a value (free text that may name
    people or places), evidence files and their names, who sent a report and how,
    report links and due dates (internal).
    """
    rows: Rows = []
    for project in read_public_results(uow):
        for i in project.indicators:
            for p in i.periods:
                rows.append(
                    {
                        "project_id": project.id,
                        "area": project.area,
                        "indicator": i.code,
                        "name": i.name,
                        "name_ru": i.name_ru,
                        "unit": i.unit,
                        "unit_ru": i.unit_ru,
                        "outcome": i.outcome,
                        "direction": i.direction.value,
                        "baseline": i.baseline,
                        "baseline_date": i.baseline_date,
                        "period": p.period,
                        "period_start": p.start,
                        "period_end": p.end,
                        "target": p.target,
                        "achieved": p.achieved,
                        "status": p.status,
                        "reported_on": p.reported_on,
                        "achieved_by_region": dict(p.by_region),
                        "means_of_verification": i.means_of_verification,
                        "means_of_verification_ru": i.means_of_verification_ru,
                    }
                    | _verified_columns(p.verified)
                )
    return rows


def _verified_columns(figure: VerifiedFigure | None) -> dict[str, Any]:
    """A verified value's columns (empty ones for a value not verified)."""
    f = figure
    return {
        "verification": f.verification if f else None,
        "verification_factor": f.factor if f else None,
        "factor_lower": f.factor_lower if f else None,
        "factor_upper": f.factor_upper if f else None,
        "confidence": f.confidence if f else None,
        "verified": f.verified if f else None,
        "verified_lower": f.verified_lower if f else None,
        "verified_upper": f.verified_upper if f else None,
        "paid": f.paid if f else None,
        "paid_currency": f.currency if f else None,
    }


def flow(debit: LedgerAccount, credit: LedgerAccount) -> tuple[str, int] | None:
    """The money flow a ledger movement changes and its sign: ``committed`` (a commitment,
    or unpaid money returned to the fund) or ``disbursed`` (a payment, or a repayment).
    Releases and freezes move money inside the fund and change neither.
    """
    a = LedgerAccount
    if debit is a.COMMITTED and credit is a.FUND_BALANCE:
        return ("committed", 1)
    if debit is a.FUND_BALANCE and credit in (a.COMMITTED, a.RELEASED, a.FROZEN):
        return ("committed", -1)
    if debit is a.DISBURSED and credit is a.RELEASED:
        return ("disbursed", 1)
    if debit is a.RETURNED and credit is a.DISBURSED:
        return ("disbursed", -1)
    return None


def audit_head(uow: UnitOfWork) -> Rows:
    """The audit chain's head: the number of the last event, its keyed hash and its time.
    Keep it, and later run ``pfund audit verify --head SEQ:HASH`` (or ask the fund to) to
    check that the history up to it was not rewritten since.

    Left out: the events themselves (they name staff and internal records); the head
    reveals nothing of them, since the chain is keyed with a key the fund keeps.
    """
    head = published_head(uow)
    return [{"seq": head.seq, "hash": head.hash, "at": head.at, "head": head.text}]


DATASETS: dict[str, Callable[[UnitOfWork], Rows]] = {
    "projects": projects,
    "organisations": organisations,
    "contributors": contributors,
    "conditions": conditions,
    "tranches": tranches,
    "ledger": ledger,
    "ledger-entries": ledger_entries,
    "results": results,
    "grievances": open_rows,
    "audit-head": audit_head,
}


class DatasetInfo(BaseModel):
    """What a download page says about a dataset: what it holds and what it leaves out,
    in English (from the builder's docstring) and in Russian."""

    name: str
    holds: str
    left_out: str
    formats: list[str]
    title: str = ""
    title_ru: str = ""
    holds_ru: str = ""
    left_out_ru: str = ""


# Each dataset's title in both languages, and the docstring's two parts in Russian
# (a test checks that every dataset has them, so a new dataset cannot miss them).
RUSSIAN: dict[str, tuple[str, str, str, str]] = {
    "projects": (
        "Projects",
        "Проекты",
        "Все проекты портфеля, включая предложения, с их открытыми полями.",
        "предложения, присланные через открытую форму и ещё не принятые сотрудниками "
        "(их может прислать кто угодно, поэтому сначала их читает человек), контактные лица "
        "(защищённые данные), внутренние заметки и перечень защищённых полей записи, а также "
        "любое поле, которое запись просит защитить.",
    ),
    "organisations": (
        "Organisations",
        "Организации",
        "Партнёры и контрагенты с их открытыми полями.",
        "название и сайт организации, которая просит их защитить (вместо них — псевдоним), "
        "чек-лист проверки благонадёжности (эксперты защищены, остальное — внутреннее), "
        "переговоры компании о возвращении и внутренние заметки.",
    ),
    "contributors": (
        "Contributors",
        "Государства-доноры",
        "ВВП каждого государства-участника, его год и доля, а также обещанные и внесённые "
        "по реестру суммы.",
        "примечания к проводкам (внутренние). Обязательства и поступления суммируются по "
        "каждому участнику за все годы, как их хранит реестр.",
    ),
    "conditions": (
        "Conditions",
        "Условия",
        "Политические условия, их текущий статус и этап, к которому каждое относится.",
        "кто изменил статус в хранилище (это внутренние данные); проверяющий и "
        "подтверждение по протоколу открыты и включены.",
    ),
    "tranches": (
        "Tranches",
        "Транши",
        "Все запланированные платежи: проект, год, сумма, статус и нужные условия.",
        "ничего не скрыто; отменённые транши остаются, чтобы читатель мог проследить "
        "перенесённый проект.",
    ),
    "ledger": (
        "Ledger",
        "Реестр операций",
        "Деньги по проектам из реестра двойной записи: всего выделено и выплачено (за "
        "вычетом возвратов), курсовые прибыли и убытки от выплат, возвратов и погашений "
        "в другой валюте и остатки на каждом счёте.",
        "примечания и время отдельных проводок (внутренний учёт); датированные операции "
        "есть в файле IATI.",
    ),
    "ledger-entries": (
        "Ledger entries",
        "Проводки реестра",
        "Каждая проводка открытого проекта отдельной строкой: дата, операция, проект, транш, "
        "сумма и валюта (валюта фонда); у проводки, пересчитанной из другой валюты, — "
        "исходная сумма и валюта, применённый курс (1 единица исходной валюты = курс в "
        "валюте фонда), дата курса и источник курсов на английском и русском "
        "(rate_source_ru). Курсовые прибыли и убытки — "
        "отдельные проводки.",
        "примечания к проводкам и время суток (внутренний учёт), взносы (они в наборе "
        "участников) и проекты, которых нет на портале.",
    ),
    "results": (
        "Results",
        "Результаты",
        "Каждый показатель каждого открытого проекта в каждом периоде: название показателя "
        "на английском и русском, единица (на обоих языках), исходное значение и способ "
        "проверки, даты периода, цель и достигнутое значение. Поле status говорит, что "
        "это за значение: verified — проверено на выборке, reported — сообщено партнёром "
        "и ещё не проверено, not_reported — отчёта ещё нет. Поле direction равно decrease, "
        "если чем меньше, тем лучше (смерти, затраты, выбросы), и increase в остальных "
        "случаях. Если регионы проекта открыты, "
        "achieved_by_region даёт сообщённые части по регионам. У проверенного значения "
        "указаны проверка (verification), коэффициент проверки verification_factor с его "
        "интервалом (factor_lower, factor_upper) при доверительной вероятности confidence, "
        "проверенное значение verified (достигнутое × коэффициент) с интервалом "
        "(verified_lower, verified_upper) и paid (в валюте paid_currency) — сколько фонд "
        "заплатил по связанным с ним траншам.",
        "проекты, которых нет на портале, разбивка по регионам у проекта, который скрывает "
        "свои регионы, примечания партнёров к значениям (свободный текст, в нём могут быть "
        "имена людей или названия мест), файлы подтверждений и их имена, кто и как прислал "
        "отчёт, ссылки для отчётов и сроки сдачи (внутренние данные).",
    ),
    "grievances": (
        "Grievances by quarter",
        "Жалобы по кварталам",
        "Жалобы по кварталу получения: сколько получено всего и по каждой категории, "
        "медиана дней до подтверждения получения и до решения, доля подтверждённых среди "
        "решённых и невыплаченные средства, которые их удержания задерживают сейчас. Число "
        "меньше порога фонда записано как «<3» (чтобы никого из сообщивших нельзя было "
        "вычислить); медиана или доля по слишком малому числу случаев пуста.",
        "сами жалобы (их текст, на кого они, кто сообщил, их даты и файлы).",
    ),
    "audit-head": (
        "Audit log head",
        "Вершина журнала аудита",
        "Вершина цепочки аудита: номер последнего события, его ключевой хеш и время. "
        "Сохраните её и позже проверьте (или попросите фонд проверить), что история до неё "
        "с тех пор не переписана.",
        "сами события (в них названы сотрудники и внутренние записи); вершина ничего о них "
        "не раскрывает, так как цепочка защищена ключом, который хранит фонд.",
    ),
}


def catalogue() -> list[DatasetInfo]:
    """Every public dataset, described by its builder's docstring, so the page and the
    code cannot drift apart.
    """
    out = []
    for name, build in DATASETS.items():
        text = " ".join(inspect.cleandoc(build.__doc__ or "").split())
        holds, _, left_out = text.partition(" Left out: ")
        title, title_ru, holds_ru, left_out_ru = RUSSIAN.get(name, (name, "", "", ""))
        out.append(
            DatasetInfo(
                name=name,
                holds=holds,
                left_out=left_out,
                formats=[*FORMATS],
                title=title,
                title_ru=title_ru,
                holds_ru=holds_ru,
                left_out_ru=left_out_ru,
            )
        )
    return out


def dataset_bytes(rt: Runtime, name: str, fmt: str) -> bytes:
    """The named dataset in the named format; an unknown name or format is bad input."""
    problems = []
    if name not in DATASETS:
        problems.append(Problem(f"'{name}' is not a dataset; choose {', '.join(DATASETS)}"))
    if fmt not in FORMATS:
        problems.append(Problem(f"'{fmt}' is not a format; choose {' or '.join(FORMATS)}"))
    if problems:
        raise InvalidInput("cannot build that public dataset", problems)
    with rt.uow() as uow:
        rows = DATASETS[name](uow)
    if fmt == "json":
        text = json.dumps({name: rows}, ensure_ascii=False, indent=1, default=_jsonable)
        return (text + "\n").encode("utf-8")
    return _csv([_flat(name, r) for r in rows]).encode("utf-8")


def _flat(name: str, row: dict[str, Any]) -> dict[str, str]:
    if name == "projects":
        return _project_row(row)
    if name == "organisations":
        return flatten_organisation(row)
    out: dict[str, str] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out |= {f"{key}.{k}": _cell(v) for k, v in value.items()}
        else:
            out[key] = _cell(value)
    return out


def _project_row(row: dict[str, Any]) -> dict[str, str]:
    """The importer's flat form; a benefit that varies by year gets a column per year."""
    try:
        return flatten_project(row)
    except ValueError:
        flat = flatten_project({k: v for k, v in row.items() if k != "benefits"})
        for name, stream in row.get("benefits", {}).items():
            for year, estimate in stream["by_year"].items():
                values = [_cell(estimate[k]) for k in ("low", "likely", "high")]
                flat[f"benefit.{name}.{year}"] = ";".join(values)
        return flat


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(getattr(value, "value", value))


def _csv(rows: list[dict[str, str]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
