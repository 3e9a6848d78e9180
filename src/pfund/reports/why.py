"""Why a project is in or out, written again in the reader's language.

The portfolio engine explains each decision in an English sentence; the report keeps the
reason and the figures behind it (``Reason``), so the Russian report writes the same
sentence from the catalog with the figures in the locale's notation. The English report
quotes the engine's sentence as it is, so the English text stays the engine's own.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from pfund.reports.language import Words
from pfund.web.labels import N_


class Reason(BaseModel):
    """What a project's sentence says, as figures: the reason code, the projects it
    names, its value per million of cost, and the rules it would break."""

    code: str
    related: list[str] = []
    per_million: float = 0.0
    value_lost: float | None = None
    stage: int = 0
    err: float | None = None
    binding: list[str] = []


SENTENCES = {
    "must_include": N_("%(id)s is in because it must be included"),
    "chosen": N_("%(id)s is in: it returns %(ratio)s value per million of cost"),
    "stage": N_("%(id)s is out: it needs stage %(stage)s and only stage %(max)s is unlocked"),
    "hurdle": N_(
        "%(id)s is out: its economic rate of return, %(err)s, is below the hurdle of "
        "%(hurdle)s that a project must clear"
    ),
    "must_exclude": N_("%(id)s is out because it must be excluded"),
    "excluded_alternative": N_("%(id)s is out because its alternative %(others)s was chosen"),
    "missing_prerequisite": N_("%(id)s is out because its prerequisite %(others)s is not in"),
    "no_value": N_("%(id)s is out because it adds no value"),
    "dominated": N_(
        "%(id)s is out: it returns %(ratio)s value per million of cost against %(marginal)s "
        "for the weakest chosen project"
    ),
}
NEEDED_BY = N_(" and %(others)s need it")
LEAVING_OUT = N_("; leaving it out would lose %(lost)s of value")
FORCING_IN = N_("; forcing it in would cost %(lost)s of value")

# The rules a dominated project would break, as the engine words them.
BINDINGS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^the (?P<year>\d{4}) budget has (?P<left>.+) left and it needs (?P<need>.+)$"),
        N_("the %(year)s budget has %(left)s left and it needs %(need)s"),
    ),
    (
        re.compile(
            r"^region (?P<region>\S+) has (?P<left>.+) left under its cap"
            r" and it needs (?P<need>.+)$"
        ),
        N_("region %(region)s has %(left)s left under its cap and it needs %(need)s"),
    ),
    (
        re.compile(r"^area (?P<area>\S+) would exceed its maximum share of (?P<share>.+)$"),
        N_("area %(area)s would exceed its maximum share of %(share)s"),
    ),
    (
        re.compile(r"^area (?P<area>\S+) would fall below its minimum share of (?P<share>.+)$"),
        N_("area %(area)s would fall below its minimum share of %(share)s"),
    ),
]
AMOUNT = re.compile(r"^(?P<number>[\d,.]+)(?: (?P<unit>m|bn))?$")


def sentence(
    words: Words, project: str, reason: Reason, *, max_stage: int, hurdle: float, marginal: float
) -> str:
    """The sentence of ``reason`` in the reader's language, ending with a full stop."""
    values = {
        "id": project,
        "ratio": _sig(words, reason.per_million),
        "others": ", ".join(reason.related),
        "stage": reason.stage,
        "max": max_stage,
        "err": words.pct(reason.err, 1) if reason.err is not None else "-",
        "hurdle": words.pct(hurdle, 1),
        "marginal": _sig(words, marginal),
    }
    text = words.gettext(SENTENCES.get(reason.code, SENTENCES["no_value"]), **values)
    text += _tail(words, reason, values)
    return text + "."


def _tail(words: Words, reason: Reason, values: dict[str, object]) -> str:
    lost = "" if reason.value_lost is None else _sig(words, reason.value_lost)
    tail = ""
    if reason.code == "chosen":
        tail += words.gettext(NEEDED_BY, **values) if reason.related else ""
        tail += words.gettext(LEAVING_OUT, lost=lost) if lost else ""
        return tail
    if reason.code == "dominated" and reason.binding:
        tail += words.gettext(", and ") + "; ".join(binding(words, b) for b in reason.binding)
    if reason.code in ("dominated", "excluded_alternative", "missing_prerequisite") and lost:
        tail += words.gettext(FORCING_IN, lost=lost)
    return tail


def binding(words: Words, text: str) -> str:
    """A rule the project would break, in the reader's language (as it is when the
    engine words it in a way not listed here)."""
    if words.lang == "en":
        return text
    for pattern, template in BINDINGS:
        found = pattern.match(text)
        if found is not None:
            parts = {k: _part(words, k, v) for k, v in found.groupdict().items()}
            return words.gettext(template, **parts)
    return text


def _part(words: Words, key: str, value: str) -> str:
    """A variable part of a rule's sentence (an amount, an area, a share) as the reader
    writes it; a year or a region code stays as it is."""
    if key in ("left", "need"):
        return _amount(words, value)
    if key == "area":
        return words.area(value)
    if key == "share" and value[:-1].isdigit():
        return words.pct(float(value[:-1]) / 100)
    return value


def _amount(words: Words, text: str) -> str:
    """``14 m`` / ``2.5 bn`` / ``950,000`` as the reader writes an amount."""
    found = AMOUNT.match(text.strip())
    if found is None:
        return text
    number = float(found["number"].replace(",", ""))
    unit = {"m": words.gettext("million"), "bn": words.gettext("billion")}.get(found["unit"] or "")
    shown = words.tick(number)
    return f"{shown}\u00a0{unit}" if unit else shown


def _sig(words: Words, value: float) -> str:
    """Three significant figures, as the engine writes them (``0.00333``)."""
    text = f"{value:.3g}"
    if "e" in text or "inf" in text or "nan" in text:
        return text
    return words.tick(float(text)) if "." not in text else _decimal(words, text)


def _decimal(words: Words, text: str) -> str:
    digits = len(text.split(".")[1])
    return words.number(float(text), digits)
