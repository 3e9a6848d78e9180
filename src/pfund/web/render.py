"""Rendering pages: one Jinja environment, a language and formatter per request."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from pfund import __version__
from pfund.api.deps import csrf_token
from pfund.domain.account import User
from pfund.services.audit import AuditHead
from pfund.services.names import region_names
from pfund.services.portal import audit_head, cached
from pfund.web.counts import COUNTS
from pfund.web.field_words import as_typed, field_label
from pfund.web.i18n import LANGUAGES, Formatter, negotiate, translations
from pfund.web.labels import (
    HISTORY_WORDS,
    MESSAGE_WORDS,
    PROPOSAL_STATUS_WORDS,
    STAFF_MESSAGE_WORDS,
    label_in,
)
from pfund.web.localize import (
    country_name,
    dated,
    decision_summary,
    localized,
    outcome_name,
    refusal_reason,
    translate_message,
)
from pfund.web.rate_words import rate_line, tranche_rate

LANG_COOKIE = "lang"
# Where a cached public page's footer takes the audit head of the request that reads it.
SLOT = Markup("<!-- pfund:audit-head -->")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("pfund.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def language(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page in the reader's language."""
    principal = getattr(request.state, "principal", None)
    lang = language(request)
    html = _html(request, template, lang, principal.user if principal else None, context)
    return _response(request, html, lang, status)


def public_page(
    request: Request, template: str, build: Callable[[], dict[str, Any]]
) -> HTMLResponse:
    """A public page that anonymous readers share: ``build`` runs, and the page renders,
    once per language, address and state of the store (until the next audit event),
    which is what lets the portal answer hundreds of readers a second.
    """
    principal = getattr(request.state, "principal", None)
    lang = language(request)
    if principal is not None and principal.user is not None:
        return render(request, template, **build())
    key = ("page", template, request.url.path, _declared_query(request), lang)
    html = cached(
        request.app.state.runtime,
        key,
        lambda: _html(request, template, lang, None, {"audit_head_slot": SLOT, **build()}),
    )
    return _response(request, html.replace(SLOT, _footer_head(request, lang), 1), lang, 200)


def _footer_head(request: Request, lang: str) -> str:
    """The footer's audit head, as of this request: it moves with every event, also
    those that leave the cached page as it was."""
    head = _audit_head(request)
    if head is None:
        return ""
    return (
        environment()
        .get_template("_audit_head.html.j2")
        .render(audit_head=head, fmt=Formatter(lang), _=translations(lang).gettext)
    )


def _declared_query(request: Request) -> tuple[tuple[str, str], ...]:
    """The query parameters the page's route declares, as given: the part of the query
    string that can change the page. Anything else is ignored, so it neither makes a
    new cache entry nor is kept in one."""
    names = _query_names(request.scope.get("route"))
    return tuple((n, request.query_params[n]) for n in names if n in request.query_params)


def _query_names(route: Any) -> tuple[str, ...]:
    names: set[str] = set()
    pending = [getattr(route, "dependant", None)]
    while pending:  # the route's own parameters and its dependencies'
        dependant = pending.pop()
        if dependant is not None:
            names.update(p.alias for p in dependant.query_params)
            pending.extend(dependant.dependencies)
    return tuple(sorted(names))


def _response(request: Request, html: str, lang: str, status: int) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    response.headers["content-language"] = lang
    return response


def _html(
    request: Request, template: str, lang: str, user: User | None, context: dict[str, Any]
) -> str:
    catalog = translations(lang)

    def gettext(message: str, **values: Any) -> str:
        text = catalog.gettext(message)
        return text % values if values else text

    def ngettext(singular: str, plural: str, n: int, /, **values: Any) -> str:
        text = catalog.ngettext(singular, plural, n)
        return text % {"num": n, **values}

    def counted(n: int | str, slot: str) -> str:
        """A count whose noun comes from data (the kind of records imported), in the
        form its number takes; a noun without a pair reads as its label."""
        if slot not in COUNTS:
            return f"{n} {label_in(gettext, slot)}"
        return ngettext(*COUNTS[slot], int(n))

    return (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            languages=LANGUAGES,
            fmt=Formatter(lang),
            gettext=gettext,
            ngettext=ngettext,
            counted=counted,
            _=gettext,
            label=lambda value: label_in(gettext, value),
            field_label=lambda name: field_label(gettext, name),
            as_typed=lambda text: as_typed(text, lang, gettext),
            localized=lambda obj, field: localized(obj, field, lang),
            country=lambda iso3, english: country_name(iso3, english, lang),
            outcome=lambda key, value: outcome_name(key, value, lang),
            translated=lambda text, status=None: dated(
                translate_message(text, lang, gettext, status), Formatter(lang)
            ),
            rate_line=lambda text, names: rate_line(text, lang, gettext, Formatter(lang), names),
            tranche_rate=lambda t, fund, names: tranche_rate(
                (t.original_amount, t.original_currency, t.rate, t.rate_date, t.rate_source),
                fund,
                lang,
                gettext,
                Formatter(lang),
                names,
            ),
            reason=lambda text, status=None: refusal_reason(
                text, lang, gettext, Formatter(lang), status
            ),
            summary=lambda report: decision_summary(report, lang, gettext, Formatter(lang)),
            region=_region_namer(request, lang),
            user=user,
            csrf=lambda: csrf_token(request),  # only pages with a form start a session
            path=request.url.path,
            lang_url=lambda code: _language_url(request, code),
            audit_head=_audit_head(request),
            status_words=PROPOSAL_STATUS_WORDS,
            message_words=MESSAGE_WORDS,
            staff_message_words=STAFF_MESSAGE_WORDS,
            history_words=HISTORY_WORDS,
            **context,
        )
    )


def _language_url(request: Request, lang: str) -> str:
    """This page in ``lang``, keeping the filters it shows (the query parameters its route
    declares; anything else is left out, as it is from the page cache's key)."""
    query = [(n, v) for n, v in _declared_query(request) if n != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', lang)])}"


def _region_namer(request: Request, lang: str) -> Callable[[str], str]:
    """A region's name in the page's language (the code when the store has no name);
    the table is read once per page, when the page first names a region."""
    rt = getattr(request.app.state, "runtime", None)
    table = cache(lambda: region_names(rt) if rt is not None else {})

    def name(code: str) -> str:
        found = table().get(code)
        return found.in_language(lang) if found else code

    return name


def _audit_head(request: Request) -> AuditHead | None:
    """The chain head every page's footer publishes, so readers can keep one."""
    rt = getattr(request.app.state, "runtime", None)
    return audit_head(rt) if rt is not None else None
