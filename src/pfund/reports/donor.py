"""The per-donor report: one self-contained HTML file per language (no asset, no script).

What the donor's money funded (attributed by the rule the report states), what those
projects achieved where verified results exist, and what the fund still holds of it;
with each agreement's instalments and receipts, so every figure traces to its inputs.
Written from one ``DonorReport`` in each language, so the two files differ in words only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from pfund.services.donor_report import DonorReport

__all__ = ["LANGUAGES", "donor_files", "render_donor", "write_donor_report"]

LANGUAGES = ("en", "ru")


def donor_files(iso3: str) -> dict[str, str]:
    return {"en": f"donor-{iso3}.html", "ru": f"donor-{iso3}.ru.html"}


@cache
def _environment(lang: str) -> Environment:
    from pfund.web.i18n import translations  # here: the pages import this module

    env = Environment(
        loader=PackageLoader("pfund.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render_donor(
    report: DonorReport, lang: str = "en", *, links: dict[str, str] | None = None
) -> str:
    """The report in ``lang``: the same figures, in the reader's words and notation.

    ``links``: where each language's version is, when served rather than written as
    files side by side (a page links to itself with ``?lang=``)."""
    from pfund.reports.language import Words  # here: the pages import this module

    w = Words(lang, currency=report.fund_currency, areas=report.areas)
    template = _environment(lang).get_template("donor.html.j2")
    from pfund.web.field_words import as_typed  # here: the pages import this module
    from pfund.web.i18n import translations

    catalog = translations(lang)
    typed = partial(as_typed, lang=lang, gettext=catalog.gettext)
    files = links or donor_files(report.contributor)
    return template.render(r=report, w=w, lang=lang, files=files, as_typed=typed)


def write_donor_report(
    report: DonorReport, directory: Path, langs: Sequence[str] = LANGUAGES
) -> list[Path]:
    """Write the report in each language; the paths written, English first."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in langs:
        path = directory / donor_files(report.contributor)[lang]
        path.write_text(render_donor(report, lang), encoding="utf-8")
        paths.append(path)
    return paths
