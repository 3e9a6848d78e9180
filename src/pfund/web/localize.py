"""The fund's own words in the reader's language: ``_ru`` fields, country names, the
decision summary and the messages of errors.

The catalog translates the pages' fixed text; what comes from data (a project's
description, a condition's definition, an outcome's name) carries its Russian twin in a
``_ru`` field beside the English, and a page shows the twin to a Russian reader, falling
back to the English only when the data set gives no Russian. Country names come from
CLDR (through Babel), not from the data set, so every contributor has one.

Errors are written in English where they are raised (the CLI and the API speak
English); a page translates them here by matching the message against the English
templates below, which the catalog translates with the same placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pycountry
from babel import Locale

from pfund.web.counts import COUNTS
from pfund.web.field_words import LANG17_MESSAGES
from pfund.web.form_words import FORM_MESSAGES
from pfund.web.i18n import translations
from pfund.web.labels import LABELS, N_

Gettext = Callable[..., str]


def localized(obj: Any, field: str, lang: str) -> str:
    """``obj.<field>_ru`` for a Russian reader when it is filled, else ``obj.<field>``.

    ``obj`` may be a model or a mapping (the public view of a record)."""

    def get(name: str) -> Any:
        if isinstance(obj, Mapping):
            return obj.get(name)
        return getattr(obj, name, None)

    if lang != "en":
        twin = get(f"{field}_{lang}")
        if twin:
            return str(twin)
    value = get(field)
    return "" if value is None else str(value)


@cache
def _alpha2(iso3: str) -> str | None:
    found = pycountry.countries.get(alpha_3=iso3.upper())
    return found.alpha_2 if found is not None else None


def country_name(iso3: str, english: str, lang: str) -> str:
    """A country's name as CLDR writes it in ``lang``; the data set's English name when
    the code is not a country CLDR knows."""
    code = _alpha2(iso3)
    if lang == "en" or code is None:
        return english
    return str(Locale.parse(lang).territories.get(code, english))


def outcome_name(key: str, outcome: Any, lang: str) -> str:
    """An outcome's name: its ``name_ru`` for a Russian reader, else its key in words."""
    twin = localized(outcome, "name", lang) if lang != "en" else ""
    return twin or key.replace("_", " ")


# English messages of errors and form problems, with their variable parts named. Each
# is a catalog message; a page matches the English text against them to translate it.
MESSAGES = [
    # Records that are not there.
    N_("no project with id '%(id)s'"),
    N_("no organisation with id '%(id)s'"),
    N_("no tranche '%(id)s'"),
    N_("no condition '%(id)s'"),
    N_("no condition '%(id)s' (known: %(known)s)"),
    N_("no screening hit %(id)s"),
    N_("no review %(id)s"),
    N_("no job %(id)s"),
    N_("no job kind '%(kind)s'"),
    N_("job %(id)s has already ended; there is nothing to cancel"),
    N_("the worker running it stopped answering (attempt %(n)s of %(m)s)"),
    N_("no action '%(id)s'"),
    N_("no run '%(id)s'"),
    N_("no dataset '%(id)s' (known: %(known)s)"),
    N_("cannot import '%(id)s' as %(kind)s"),
    N_("'%(id)s' is an %(kind)s run, not a %(expected)s run"),
    N_("'%(id)s' is a %(kind)s run, not a %(expected)s run"),
    N_("'%(id)s' is a %(kind)s run, not an %(expected)s run"),
    N_("'%(id)s' is an %(kind)s run, not an %(expected)s run"),
    N_("project '%(id)s' is not in run %(run)s"),
    N_("project '%(id)s' has no tranches: approve its run first"),
    # Permissions and forms.
    N_("your role does not allow: %(what)s"),
    N_("sign in to %(what)s"),
    N_("review %(id)s is assigned to someone else"),
    N_("missing or wrong CSRF token; reload the page and try again"),
    N_("the form has expired; reload the page and send it again"),
    N_("wrong user name or password"),
    # What contradicts the store.
    N_("tranche %(id)s is %(status)s, not %(expected)s"),
    N_("project %(id)s is already %(status)s"),
    N_("%(id)s is %(status)s, not submitted"),
    N_("every project of run %(id)s is already approved"),
    N_("%(who)s is already assigned to %(id)s"),
    N_("%(who)s declared a conflict on %(id)s and is recused"),
    N_("review %(id)s already has its declaration"),
    N_("declare any conflict of interest before scoring"),
    N_("please send the proposal again"),
    N_("the proposal could not be accepted"),
    N_("the change contradicts what is stored (a duplicate or a missing record)"),
    N_("nothing was changed; reload and check the record"),
    N_("a value does not fit what the store can hold (too long, or out of range)"),
    N_("nothing was changed; shorten or correct the values"),
    N_("the store holds no fund yet"),
    N_("internal error"),
    N_("internal error (request %(id)s)"),
    # What a staff action reports when it is done.
    N_("%(id)s taken into the pipeline"),
    N_("%(id)s approved: %(projects)s, %(tranches)s"),
    N_("%(id)s released"),
    N_("%(id)s disbursed"),
    N_("%(id)s unfrozen"),
    N_("%(id)s revoked"),
    N_("%(id)s changed: version %(n)s"),
    N_("%(id)s: receipt %(n)s booked"),
    N_("%(id)s: receipt reversed"),
    N_("receipt %(id)s is already reversed (on %(day)s); nothing was changed"),
    N_("receipt %(id)s is already reversed; nothing was changed"),
    N_("%(id)s was reversed before"),
    N_("%(id)s: %(old)s -> %(new)s; %(frozen)s"),
    N_("%(id)s: %(entities)s, %(added)s added, %(changed)s changed; %(new_hits)s"),
    N_("screened: %(new_hits)s"),
    N_("hit %(id)s: confirmed"),
    N_("hit %(id)s: dismissed"),
    N_("review %(id)s declared"),
    N_("review %(id)s scored"),
    N_("%(who)s assigned to %(id)s"),
    # Why the gate holds a tranche (the headline, then one problem per hold).
    N_("tranche %(id)s cannot be released: %(reasons)s"),
    N_("tranche %(id)s cannot be paid: %(reasons)s"),
    N_("tranche %(id)s cannot be unfrozen: %(reasons)s"),
    N_("condition %(id)s is %(status)s"),
    N_("vetting of %(id)s is not approved"),
    N_("its year %(id)s has not begun"),
    N_("screening hit %(id)s on organisation %(org)s is %(status)s"),
    N_("grievance %(id)s against %(kind)s %(who)s holds its money"),
    N_("no sanctions licence covers the payment to %(id)s"),
    N_(
        "counterparty %(id)s is in %(country)s, where sanctions apply: %(reasons)s; the "
        "payment needs a licence or an exemption that covers it"
    ),
    N_("no licence or exemption names it"),
    N_("licence %(id)s ended on %(date)s"),
    N_("licence %(id)s starts on %(date)s"),
    N_("licence %(id)s was revoked on %(date)s"),
    N_("licence %(id)s covers only %(list)s"),
    N_("licence %(id)s has %(left)s left and the payment is %(amount)s"),
    # The grievance form's and status page's refusals.
    N_("give a name or a contact, or choose to stay anonymous"),
    N_("no project with this id"),
    N_("write something or attach a file"),
    N_("the grievance is closed; it takes no more information"),
    N_("unknown category; choose one of %(list)s"),
    N_(
        "grievance %(id)s (%(status)s) against %(kind)s %(who)s holds the money until the "
        "integrity officer lifts the hold"
    ),
    N_("condition %(id)s is %(status)s; stage %(n)s needs it met before money moves"),
    N_(
        "condition %(id)s is %(status)s; the tranche's own conditions needs it met before "
        "money moves"
    ),
    N_(
        "tranche %(id)s is money for %(year)s and may be released from %(date)s; releasing "
        "it earlier needs an explicit early release with a reason"
    ),
    N_("counterparty %(id)s (%(kind)s): %(reasons)s; the money waits for an approved vetting"),
    N_("vetting not approved: %(reasons)s"),
    N_("%(n)s of %(total)s criteria never judged (%(list)s)"),
    N_("%(n)s of %(total)s criteria judged not met (%(list)s)"),
    N_("every criterion is met but the vetting was never approved"),
    N_("the vetting approval lapsed on %(date)s"),
    N_("the vetting approval starts on %(date)s, after today (%(today)s)"),
    N_(
        "hit %(id)s (%(status)s, score %(score)s) on %(kind)s %(who)s of organisation "
        "%(org)s; compliance must review it before money moves"
    ),
    N_("tranche %(id)s is no longer %(status)s: another change came first; nothing was changed"),
    N_("tranche %(id)s is frozen but holds no frozen money"),
    N_("tranche %(id)s changed while it was being unfrozen; retry"),
    N_("tranche %(id)s is %(status)s, not frozen"),
    # What an import (or the proposal form, checked by the same rules) finds wrong.
    N_("is required but missing"),
    N_("is missing or not valid"),
    N_("unknown area '%(id)s' (expected one of %(known)s)"),
    N_("unknown area '%(id)s'"),
    N_("unknown stage %(id)s (this fund has %(known)s)"),
    N_("unknown region '%(id)s' for this fund"),
    N_("refers to unknown project '%(id)s'"),
    N_("refers to unknown organisation '%(id)s'"),
    N_("refers to unknown person '%(id)s'"),
    N_("year %(id)s is outside the fund's horizon %(span)s"),
    N_("years %(id)s are outside the fund's horizon %(span)s"),
    N_("%(kind)s '%(id)s' already exists in the store"),
    N_("duplicate id '%(id)s' (first used on row %(n)s)"),
    N_("dependency cycle: %(cycle)s"),
    N_("'%(id)s' is not an ISO 3166-2 subdivision code"),
    N_("'%(id)s' is not an ISO 3166-1 alpha-2 country code"),
    N_("'%(id)s' is not an ISO 3166-1 alpha-3 country code"),
    N_("unknown currency '%(id)s' (expected an ISO 4217 code such as USD)"),
    N_("needs low <= likely <= high, got %(values)s"),
    N_("give [low, likely, high], got %(numbers)s"),
    N_("give a capital or a running cost for the year"),
    N_("a project needs a cost in at least one year"),
    N_("a project cannot depend on or exclude itself"),
    N_("must not be negative"),
    N_("lists %(id)s twice"),
    N_("the file is empty"),
    N_("no such file"),
    N_("expected a mapping"),
    N_("more cells than header columns"),
    N_("item %(n)s is not an object"),
    N_("unknown file type '%(id)s' (use one of %(known)s)"),
    N_("file is larger than %(n)s MiB"),
    N_("malformed YAML: %(detail)s"),
    N_("%(file)s: %(problems_found)s; nothing was imported"),
    N_("cannot read %(file)s"),
    N_("nested more than %(n)s levels deep"),
    N_("expected a list of %(kind)s, or an object with a '%(key)s' list"),
    # Form fields as pydantic states what is wrong with them.
    N_("Field required"),
    N_("String should have at least %(n)s characters"),
    N_("String should have at least %(n)s character"),
    N_("String should have at most %(n)s characters"),
    N_("String should have at most %(n)s character"),
    N_("Input should be greater than or equal to %(n)s"),
    N_("Input should be greater than %(n)s"),
    N_("Input should be less than or equal to %(n)s"),
    N_("Input should be less than %(n)s"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer"),
    N_("Input should be a valid decimal"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid number"),
    N_("Input should be a valid string"),
    N_("List should have at most %(n)s items after validation, not %(m)s"),
    N_("value is not a valid email address: %(detail)s"),
    N_("Value error, %(detail)s"),
    # Results: the partner's report form and its evidence files (pfund.io.evidence).
    N_("is %(size)s bytes; an evidence file may be at most %(limit)s MiB"),
    N_("is a %(kind)s file; accepted are JPEG, PNG or WebP images, or PDF documents"),
    N_("is not a file type pfund accepts (JPEG, PNG or WebP images, or PDF documents)"),
    N_("is damaged and cannot be read as an image"),
    N_("has more than %(limit)s pixels"),
    N_("is empty"),
    N_("'%(value)s' is not a number"),
    N_("must be a number, zero or more"),
    N_("give at least one achieved value"),
    # Verification by sampling (pfund.services.verification, pfund.results.sampling).
    N_("unit '%(id)s' was not in the draw (seed %(seed)s)"),
    N_("unit '%(id)s' was drawn but has no finding"),
    N_("unit '%(id)s' is recorded twice"),
    N_("no verification '%(id)s'"),
    N_("no report '%(id)s'"),
    N_("known: %(known)s"),
    N_("import the report's units first"),
    N_("the seed must be a whole number"),
    N_("verification %(id)s already has its findings; nothing stored"),
    N_("the findings do not match the sample drawn"),
    N_("a stratum has one sampled unit, so its variance cannot be estimated"),
    N_("every sampled unit reports zero, so there is no factor to compute"),
    N_("Decimal input should be an integer or a float"),
    N_("Decimal input should have no more than %(n)s digits in total"),
    # An indicator's direction (staff page, CLI, API) and a re-import that would turn it.
    N_("project %(project)s has no indicator '%(code)s'"),
    N_("indicator %(code)s of %(project)s cannot be %(direction)s; nothing changed"),
    N_(
        "tranche %(id)s is paid on indicator %(code)s; its formula was checked in the "
        "indicator's direction, so link it again after the change"
    ),
    N_("unlink the tranche first"),
    N_(
        "indicator '%(code)s' of %(project)s is %(stored)s and tranche %(id)s is paid on "
        "it, so it cannot become %(direction)s; unlink the tranche first"
    ),
]
MESSAGES += FORM_MESSAGES  # the agreement, loan and company-list forms
MESSAGES += LANG17_MESSAGES  # a receipt reversal's value date

# Words that stand in the variable parts and have a translation of their own.
WORDS = {
    "portfolio": N_("portfolio"),
    "appraisal": N_("appraisal"),
    "frontier": N_("frontier"),
    "robust": N_("robust"),
    "scenario": N_("scenario"),
    "projects": N_("projects"),
    "organisations": N_("organisations"),
    "people": N_("people"),
    "project": N_("project"),
    "increase": N_("increase"),
    "decrease": N_("decrease"),
    # The verbs of the fund, as a refusal names them.
    "read public": N_("read public records"),
    "read internal": N_("read internal records"),
    "read protected": N_("read protected data"),
    "import": N_("import records"),
    "appraise": N_("appraise projects"),
    "optimise": N_("optimise the portfolio"),
    "approve": N_("approve a portfolio"),
    "set conditions": N_("set conditions"),
    "move money": N_("move money"),
    "review": N_("review proposals"),
    "assign reviews": N_("assign reviews"),
    "screen": N_("screen counterparties"),
    "read audit": N_("read the audit log"),
    "manage users": N_("manage users"),
    "manage store": N_("manage the store"),
}
# Fixed text per status, for an error no template above matches.
BY_STATUS = {
    400: N_("The request could not be accepted."),
    401: N_("Sign in to see this page."),
    403: N_("Your role does not allow this."),
    404: N_("Not found."),
    409: N_("This contradicts what is stored; nothing was changed."),
    429: N_("Too many requests; try again later."),
    500: N_("Something went wrong on our side; nothing was changed."),
}


GOT = re.compile(r"^(?P<core>.+) \(got (?P<value>.+)\)$", re.DOTALL)


@cache
def _most_specific_first() -> list[str]:
    """The templates with the most fixed text first, so that ``condition %(id)s is
    %(status)s`` does not swallow the longer message that starts the same way. A count's
    slot counts as its noun (``%(tranches)s`` as "tranche"), which it must match."""

    def fixed(template: str) -> int:
        def noun(slot: re.Match[str]) -> str:
            pair = COUNTS.get(slot[1])
            return pair[0].replace("%(num)s", "") if pair else ""

        return len(re.sub(r"%\((\w+)\)s", noun, template))

    return sorted(MESSAGES, key=lambda t: -fixed(t))


@cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else _slot(part) for i, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


def _slot(name: str) -> str:
    """What a slot matches: anything, or for a count its number and noun, in the
    singular or the plural (``1 tranche``, ``2 tranches``)."""
    if name not in COUNTS:
        return f"(?P<{name}>.+?)"
    forms = "|".join(re.escape(f).replace(re.escape("%(num)s"), r"\d+") for f in COUNTS[name])
    return f"(?P<{name}>{forms})"


def _count(slot: str, english: str, lang: str) -> str:
    """A count an English message wrote (``1 tranche frozen``) in ``lang``'s form for
    its number: Russian has three (``заморожен 1 транш``, ``2 транша``, ``5 траншей``)."""
    found = re.search(r"\d+", english)
    if found is None:
        return english
    n = int(found[0])
    return translations(lang).ngettext(*COUNTS[slot], n) % {"num": n}


def translate_message(text: str, lang: str, gettext: Gettext, status: int | None = None) -> str:
    """``text`` (an English error or problem) in the reader's language.

    The text is matched against ``MESSAGES``; the translation gets its variable parts
    back, each translated when it is a known word (a status, a kind of run), and each
    count (a slot ``COUNTS`` names) in the form its number takes. A message
    no template matches is shown as the fixed text of its status (as it is, in English).
    """
    if lang == "en":
        return text
    given = GOT.match(text.strip())
    if given is not None:  # an import's reason quotes the value it got
        core = translate_message(given["core"], lang, gettext, status)
        return core + gettext(" (got %(value)s)", value=given["value"])
    for template in _most_specific_first():
        found = _pattern(template).match(text.strip())
        if found is not None:
            values = {
                k: "; ".join(translate_message(r, lang, gettext) for r in v.split("; "))
                if k == "reasons"
                else _count(k, v, lang)
                if k in COUNTS
                else _word(v, gettext)
                for k, v in found.groupdict().items()
            }
            return gettext(template) % values
    return gettext(BY_STATUS.get(status or 400, BY_STATUS[400]))


def _word(value: str, gettext: Gettext) -> str:
    if value in WORDS:
        return gettext(WORDS[value])
    if value in LABELS:
        return gettext(LABELS[value])
    return value


def decision_summary(report: Any, lang: str, gettext: Gettext, fmt: Any) -> str:
    """The paragraph a decision record quotes, written again in the reader's language
    from the record's figures (the stored paragraph is English)."""
    if lang == "en":
        return str(report.summary)
    if not report.selected:
        return gettext("No portfolio could be chosen within the budgets and rules.")
    n = len(report.selected)
    parts = [
        translations(lang).ngettext(
            "%(status)s portfolio of %(num)s project, value %(value)s.",
            "%(status)s portfolio of %(num)s projects, value %(value)s.",
            n,
        )
        % {
            "status": gettext(LABELS.get(report.status, report.status)),
            "num": n,
            "value": fmt.number(report.objective or 0, 2),
        }
    ]
    if report.status == "feasible" and report.gap is not None:
        parts.append(gettext("Proven within %(gap)s of the best.", gap=fmt.percent(report.gap, 3)))
    if report.gain_over_greedy is not None and report.gain_share is not None:
        parts.append(
            gettext(
                "The optimised portfolio buys %(gain)s more value (%(share)s) than ranking "
                "by benefit per dollar with the same budgets.",
                gain=fmt.number(report.gain_over_greedy, 2),
                share=fmt.percent(report.gain_share, 2),
            )
        )
    return " ".join(parts)


# A refusal's reason shown under a sentence that already says nothing was changed (the
# staff refusal page, a form's error box) does not say it again: the clause is dropped
# from the reason, in the page's language, wherever the service put it (its end or its
# start). Dates a reason quotes (ISO, as services write them) are written as the page
# writes its other dates.
NOTHING_CHANGED = (
    r"(?:nothing (?:was )?(?:changed|stored|recorded)|ничего не (?:изменено|сохранено|записано))"
)
SAID_LAST = re.compile(rf"\s*[;,]\s*{NOTHING_CHANGED}(?=\.?\s*$)", re.IGNORECASE)
SAID_FIRST = re.compile(rf"^\s*{NOTHING_CHANGED}\s*[;,.:]\s*", re.IGNORECASE)
ISO_DAY = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def dated(text: str, fmt: Any) -> str:
    """``text`` with each ISO date in it written by ``fmt`` (the page's Formatter)."""

    def day(found: re.Match[str]) -> str:
        try:
            return str(fmt.date(found.group(0)))
        except ValueError:  # 2026-13-45 is no date: left as written
            return found.group(0)

    return ISO_DAY.sub(day, text)


def without_nothing_changed(text: str) -> str:
    """``text`` without its 'nothing was changed' clause (the page says it once), and
    otherwise word for word: the problem it states stays as the service wrote it, in
    its case too (pages and tests quote "a positive amount", "tranche T is paid on
    indicator I"; a reason capitalised or reworded here broke both in lang18)."""
    shorter = SAID_LAST.sub("", text)
    if shorter == text:
        shorter = SAID_FIRST.sub("", text)
    return shorter or text


def refusal_reason(
    text: str, lang: str, gettext: Gettext, fmt: Any, status: int | None = None
) -> str:
    """A refusal's reason in the reader's language, under a sentence that says nothing
    was changed: translated, without saying so again, its dates as the page writes them."""
    said = translate_message(text, lang, gettext, status)
    return dated(without_nothing_changed(said), fmt)
