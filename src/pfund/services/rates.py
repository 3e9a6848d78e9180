"""Exchange rates: importing a rates file, finding the rate for a day, converting.

A rates file is stored all or nothing, each rate with its source and the file's sha256;
a rate already stored for the same pair and day must agree with the file, or the whole
file is refused. A conversion on ``day`` uses the rate published that day or, failing
one, the latest earlier rate at most ``FundDefinition.rate_max_age_days`` old, and the
rate used says which day it is of; anything older is refused, naming the command that
would fix it. Rounding: ``pfund.domain.fx.ROUNDING_RULE``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import FundDefinition, Project
from pfund.domain.account import Permission
from pfund.domain.estimate import Estimate
from pfund.domain.fx import ECB_BASE, ROUNDING_RULE, ExchangeRate, RateUsed, convert, cross_rate
from pfund.domain.fx import identity as identity_rate
from pfund.domain.money import minor_digits
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.io.rates import ECB_SOURCE, ECB_SOURCE_RU, read_ecb_rates
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

__all__ = [
    "RATE_MISSING",
    "Conversion",
    "RatesImport",
    "convert_project",
    "import_rates",
    "list_rates",
    "rate_for",
    "show_rate",
]

RATE_MISSING = "rate_missing"


class RatesImport(BaseModel):
    file: str
    source: str
    source_ru: str = ""
    sha256: str
    rates: int
    added: int
    unchanged: int
    days: int
    first: date
    last: date
    currencies: list[str]


def import_rates(
    rt: Runtime, path: Path, *, source: str = ECB_SOURCE, source_ru: str | None = None
) -> RatesImport:
    """Store every rate of an ECB-layout file, or none: bad rows and rates that disagree
    with those already stored are all named, and nothing is stored. Each rate keeps its
    source in English and in Russian (``source_ru``; for the ECB's own name, its Russian
    by default), as the fund's other data carries both languages."""
    rt.require(Permission.IMPORT)
    russian = (ECB_SOURCE_RU if source == ECB_SOURCE else "") if source_ru is None else source_ru
    if len(russian.strip()) > 300:
        problem = Problem("at most 300 characters", field="source_ru")
        raise InvalidInput("the rates' source in Russian is too long", [problem])
    parsed = read_ecb_rates(path, source=source, source_ru=russian.strip())
    with rt.uow(write=True) as uow:
        stored = uow.rates.on_days(ECB_BASE, parsed.days)
        new, same, problems = [], 0, []
        for rate in parsed.rates:
            known = stored.get((rate.quote, rate.day))
            if known is None:
                new.append(rate)
            elif known.rate == rate.rate:
                same += 1
            else:
                reason = (
                    f"{rate.day} EUR->{rate.quote} is {rate.rate} here but {known.rate} is "
                    f"stored (from {known.source}); a published rate does not change"
                )
                problems.append(Problem(reason, path.name, None, rate.quote))
        if problems:
            raise InvalidInput(f"{path.name}: rates disagree; nothing was stored", problems)
        uow.rates.add_many(new, datetime.now(UTC))
        result = RatesImport(
            file=path.name,
            source=source,
            source_ru=russian.strip(),
            sha256=parsed.sha256,
            rates=len(parsed.rates),
            added=len(new),
            unchanged=same,
            days=len(parsed.days),
            first=parsed.days[0],
            last=parsed.days[-1],
            currencies=parsed.currencies,
        )
        details = {k: str(v) for k, v in result.model_dump(exclude={"currencies"}).items()}
        AuditWriter(uow, rt.actor).record("rates.imported", "rates", parsed.sha256, details)
        uow.commit()
    return result


def list_rates(
    rt: Runtime,
    *,
    currency: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 200,
) -> list[ExchangeRate]:
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        quote = currency.upper() if currency else None
        return uow.rates.list(quote=quote, since=since, until=until, limit=limit)


def source_names(rt: Runtime) -> dict[str, str]:
    """The rates' sources in Russian by their English (as a tranche or an agreement's
    change line stores it): what a page in Russian shows for a stored source."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        return uow.rates.source_names()


class Conversion(BaseModel):
    """A conversion as stated: the rate used and, given an amount, both amounts."""

    rate: RateUsed
    stated: str
    rounding: str = ROUNDING_RULE
    amount: Decimal | None = None
    converted: Decimal | None = None


def show_rate(
    rt: Runtime, frm: str, to: str | None = None, *, day: date, amount: Decimal | None = None
) -> Conversion:
    """The rate ``frm`` -> ``to`` (the fund's currency by default) for ``day``, as a
    conversion would use it, and ``amount`` converted at it."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = uow.fund.get()
        if fund is None:
            raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
        used = rate_for(uow, frm, to or fund.currency, day, fund.rate_max_age_days)
    converted = None if amount is None else convert(amount, used.rate, used.quote)
    return Conversion(rate=used, stated=used.stated(), amount=amount, converted=converted)


def rate_for(uow: UnitOfWork, frm: str, to: str, day: date, max_age_days: int) -> RateUsed:
    """1 ``frm`` in ``to`` for ``day``: the rate of that day or the latest at most
    ``max_age_days`` earlier, derived through the euro when neither is the euro.

    Both legs of a cross rate come from the same published day. No such day within the
    age allowed is an InvalidInput (code ``rate_missing``) saying what to import.
    """
    frm, to = frm.upper(), to.upper()
    if frm == to:
        return identity_rate(frm, day)
    legs = [c for c in (frm, to) if c != ECB_BASE]
    when = day
    found: dict[str, ExchangeRate] = {}
    for _ in range(10):  # the legs' latest days converge in a step or two
        found = {}
        for leg in legs:
            rate = uow.rates.latest(ECB_BASE, leg, when)
            if rate is None:
                raise _missing(frm, to, day, max_age_days, None)
            found[leg] = rate
        days = {r.day for r in found.values()}
        if len(days) == 1:
            break
        when = min(days)
    published = next(iter(found.values())).day
    if (day - published).days > max_age_days:
        raise _missing(frm, to, day, max_age_days, published)
    per_euro = {ECB_BASE: Decimal(1)} | {c: r.rate for c, r in found.items()}
    sources = sorted({r.source for r in found.values()})
    sources_ru = sorted({r.source_ru or r.source for r in found.values()})
    return RateUsed(
        base=frm,
        quote=to,
        rate=cross_rate(per_euro, frm, to),
        day=published,
        asked=day,
        source="; ".join(sources),
        source_ru="; ".join(sources_ru),
    )


def _missing(frm: str, to: str, day: date, max_age: int, latest: date | None) -> InvalidInput:
    oldest = day - timedelta(days=max_age)
    what = f"no {frm}->{to} rate for {day}"
    if max_age:
        what += f" or the {max_age} days before it (from {oldest})"
    found = f"; the latest is of {latest}" if latest else "; none is stored"
    problem = Problem(
        f"{what}{found}: import a rates file that covers it (`pfund rates import FILE`)",
        field="currency",
        code=RATE_MISSING,
        facts={"from": frm, "to": to, "day": day.isoformat(), "max_age_days": max_age},
    )
    return InvalidInput(f"cannot convert {frm} to {to}: {what}", [problem])


def conversions(
    uow: UnitOfWork, fund: FundDefinition, currencies: set[str], day: date
) -> dict[str, RateUsed]:
    """The rate of each currency into the fund's, for ``day`` (the fund's own: none)."""
    return {
        c: rate_for(uow, c, fund.currency, day, fund.rate_max_age_days)
        for c in sorted(currencies - {fund.currency})
    }


def convert_project(project: Project, used: RateUsed) -> Project:
    """The project with its costs and monetised benefits in ``used.quote``.

    Each low, likely and high figure is converted by ``ROUNDING_RULE``; nothing else
    changes, so the appraisal and the optimiser see the project in the fund's currency.
    """
    if used.identity or project.currency != used.base:
        return project

    def money(e: Estimate[Decimal]) -> Estimate[Decimal]:
        return Estimate[Decimal](
            low=convert(e.low, used.rate, used.quote),
            likely=convert(e.likely, used.rate, used.quote),
            high=convert(e.high, used.rate, used.quote),
        )

    costs = {
        year: cost.model_copy(
            update={
                "capital": money(cost.capital) if cost.capital else None,
                "running": money(cost.running) if cost.running else None,
            }
        )
        for year, cost in project.costs.items()
    }
    benefits = {
        label: stream.model_copy(
            update={"by_year": {y: money(e) for y, e in stream.by_year.items()}}
        )
        for label, stream in project.benefits.items()
    }
    return project.model_copy(update={"costs": costs, "benefits": benefits, "currency": used.quote})


def fund_amount(amount: Decimal, used: RateUsed) -> Decimal:
    """``amount`` of ``used.base`` in ``used.quote``, by the rounding rule."""
    return convert(amount, used.rate, used.quote)


def share_of(original: Decimal, part: Decimal, whole: Decimal, currency: str) -> Decimal:
    """``part`` of ``whole`` (fund currency) as the same share of ``original``, rounded
    half to even to ``currency``'s minor unit: the project-currency amount of a partial
    payment."""
    if part == whole:
        return original
    exact = original * part / whole
    return exact.quantize(Decimal(10) ** -minor_digits(currency))
