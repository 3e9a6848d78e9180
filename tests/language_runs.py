"""Text of the other language left on a page: runs of three or more foreign words.

A Russian page may carry a code (``TRN-M11-03``), an acronym (``CSV``, ``IATI``) or a
single English word in a proper name, but three English words in a row are a sentence
or a name nobody translated. The same holds the other way for English pages and
Cyrillic. ``foreign_runs`` takes an HTML page (or plain text) and returns those runs,
so the language-coverage test and a browser crawl can share one definition.

What counts as the page's text: what a reader sees, i.e. the text of the elements
(not scripts or styles), the page title, and the attributes a browser shows (``alt``,
``title``, ``placeholder``, ``aria-label`` and the labels of buttons). Block elements
(paragraphs, cells, list items, options) end a run, inline ones (links, ``<strong>``)
do not, so a sentence split by markup is still one sentence. An element whose ``lang``
attribute names another language (a raw engine trace, say) is marked as foreign text for
readers and screen readers alike, and is not counted; nor are the proper names given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

LATIN = re.compile(r"^[A-Za-z]+(?:['’-][A-Za-z]+)*$")
CYRILLIC = re.compile(r"^[А-Яа-яЁё]+(?:['’-][А-Яа-яЁё]+)*$")
# Acronyms and codes are neither language: CSV, IATI, OSCE, GDP, USD.
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]*[A-Z0-9]s?$")
PUNCTUATION = "\"'«»“”„()[]{}<>.,:;!?…·•/|*+=%$€£₽#№–—-"
BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "label", "legend", "li", "main", "nav", "ol",
    "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td", "text",
    "textarea", "tfoot", "th", "thead", "title", "tr", "ul", "svg", "g",
}  # fmt: skip
VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
HIDDEN = {"script", "style", "template", "noscript"}
SHOWN_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
RUN = 3


class _Text(HTMLParser):
    """The visible text of a page as lines: one line per block of text."""

    def __init__(self, lang: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._hidden = 0
        self._lang = lang
        self._open: list[str] = []  # open elements of another language, innermost last

    def _end_line(self) -> None:
        text = " ".join(self._line).strip()
        if text:
            self.lines.append(text)
        self._line = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._hidden += 1
            return
        marked = dict(attrs).get("lang")
        if self._lang and marked and marked.split("-")[0] != self._lang and tag not in VOID:
            self._open.append(tag)
            self._hidden += 1
            return
        if tag in BLOCKS:
            self._end_line()
        values = dict(attrs)
        if self._hidden:
            return
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.lines.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self.lines.append(str(values.get("value") or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN:
            self._hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == self._open[-1]:
            self._open.pop()
            self._hidden = max(0, self._hidden - 1)
        elif tag in HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in BLOCKS:
            self._end_line()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._line.append(data)

    def close(self) -> None:
        super().close()
        self._end_line()


def visible_lines(html: str, lang: str = "") -> list[str]:
    """The page's visible text, one block per line (plain text passes through); with
    ``lang``, less what the page marks as written in another language."""
    parser = _Text(lang)
    parser.feed(html)
    parser.close()
    return parser.lines


def _kind(token: str) -> str:
    """``latin``, ``cyrillic`` or ``neutral`` (numbers, codes, acronyms, symbols)."""
    word = token.strip(PUNCTUATION)
    if not word or ACRONYM.match(word):
        return "neutral"
    if LATIN.match(word):
        return "latin"
    if CYRILLIC.match(word):
        return "cyrillic"
    return "neutral"


def _runs(line: str, foreign: str) -> list[str]:
    found: list[str] = []
    run: list[str] = []
    for token in [*line.split(), ""]:
        kind = _kind(token) if token else "end"
        if kind == foreign:
            run.append(token)
            continue
        if kind == "neutral" and run:
            run.append(token)  # a number or code inside a sentence does not end it
            continue
        kinds = [_kind(t) for t in run]
        if kinds.count(foreign) >= RUN:
            last = len(kinds) - kinds[::-1].index(foreign)  # trailing numbers are not part
            found.append(" ".join(run[:last]).strip(PUNCTUATION + " "))
        run = []
    return found


def foreign_runs(text: str, lang: str, names: Iterable[str] = ()) -> list[str]:
    """Runs of three or more words of the other language in ``text`` (HTML or plain)
    shown to a reader of ``lang``: English on a Russian page, Cyrillic on an English one.
    A run inside one of ``names`` (proper names the data gives in one form) is not one.
    """
    foreign = "latin" if lang == "ru" else "cyrillic"
    lines = visible_lines(text, lang) if "<" in text else text.splitlines()
    proper = tuple(names)
    return [
        run
        for line in lines
        for run in _runs(line, foreign)
        if not any(run in name for name in proper)
    ]
