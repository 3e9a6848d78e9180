"""The documentation builds offline, in English and Russian, and tells the truth about
the command line.

Sphinx builds both trees with warnings as errors (a broken link, a page outside the
table of contents or a bad directive fails); every page exists in both languages; the
built site loads no script, style, font or image from another host; and every
``pfund ...`` command the pages show is a real command whose options exist, so a guide
cannot describe a command that was renamed or never was.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pfund.cli.reference import root_command, subcommands

DOCS = Path(__file__).resolve().parents[1] / "docs"
LANGUAGES = ("en", "ru")
PAGES = [
    "index",
    "runbook",
    *(
        f"guides/{role}"
        for role in (
            "analyst",
            "board",
            "reviewer",
            "compliance",
            "integrity",
            "partner",
            "verifier",
        )
    ),
    "reference/api",
    "reference/cli",
]
# A URL a page would load (not a link a reader may follow): scripts, styles, images,
# fonts and CSS imports.
LOADED = re.compile(
    r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(https?:)?//'
    r'|<link\b[^>]*rel="(?:stylesheet|preload|icon)"[^>]*href="(https?:)?//'
    r"|url\(\s*['\"]?(?:https?:)?//|@import\s+['\"]?(?:url\()?['\"]?(?:https?:)?//"
)
# Commands the pages name before they exist (none now).
COMING: set[str] = set()
GLOBAL_OPTIONS = {"--db", "--dataset"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    for language in LANGUAGES:
        build = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-c", str(DOCS)]
        build += ["-D", f"language={language}", "-b", "html", str(DOCS / language)]
        done = subprocess.run([*build, str(out / language)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_both_languages_build_with_every_page(site: Path) -> None:
    for language in LANGUAGES:
        for page in PAGES:
            html = (site / language / f"{page}.html").read_text(encoding="utf-8")
            assert re.search(f'<html [^>]*lang="{language}"', html), page
        reference = (site / language / "reference" / "cli.html").read_text(encoding="utf-8")
        assert "--graceful-timeout" in reference
        assert not re.search("\u2013[a-z]", reference), "an option typeset as a dash"
    runbook_ru = (site / "ru" / "runbook.html").read_text(encoding="utf-8")
    assert "Резервные копии и учебное восстановление" in runbook_ru


def test_each_page_links_to_its_twin_in_the_other_language(site: Path) -> None:
    page = (site / "en" / "guides" / "analyst.html").read_text(encoding="utf-8")
    assert 'href="../../ru/guides/analyst.html"' in page
    assert (site / "en" / "guides" / "../../ru/guides/analyst.html").resolve().exists()


def test_the_built_site_loads_nothing_from_another_host(site: Path) -> None:
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(files) > 2 * len(PAGES)
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        found = LOADED.search(text)
        assert found is None, f"{path.relative_to(site)} loads {found.group(0)!r}"


def shown_commands() -> list[tuple[str, list[str]]]:
    """Every ``pfund ...`` command in the hand-written pages, as (page, words): inline
    code, and commands in shell blocks (at a line's start, after ``&&``, ``;`` or ``'``,
    or after an environment assignment)."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        if page.name == "cli.md":
            continue  # generated from the commands themselves
        text = page.read_text(encoding="utf-8")
        snippets = [s for s in INLINE.findall(text) if s != "pfund ..."]
        for block in BLOCK.findall(text):
            snippets += IN_SHELL.findall(block)
        for snippet in snippets:
            try:
                words = shlex.split(snippet.split(" #")[0])
            except ValueError:
                words = snippet.split()
            found.append((str(page.relative_to(DOCS)), words[1:]))
    return found


INLINE = re.compile(r"`(pfund [^`]+)`")
BLOCK = re.compile(r"```sh\n(.*?)```", re.S)
IN_SHELL = re.compile(r"(?:^|&&|;|'|\b[A-Z_]+=\S+)[ \t]*(pfund[ \t]+[^;&'\n]*)", re.M)


def _options(command: Any) -> set[str]:
    return {
        o
        for p in command.params
        for o in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]
    }


def check_command(words: list[str], root: Any = None) -> str | None:
    """Why ``pfund WORDS`` is not a real command line, or None. A word ``a|b`` stands for
    each of its alternatives. ``root`` is the ``pfund`` command to look in (built anew
    when not given): building it, then every command group on the first look into it,
    costs an eighth of a CPU second, which a caller checking many lines pays once."""
    command: Any = root_command() if root is None else root
    name = "pfund"
    i = 0
    while i < len(words):
        word = words[i]
        if word in GLOBAL_OPTIONS and command is not None and name == "pfund":
            i += 2
            continue
        subs = dict(subcommands(command, name))
        if subs and not word.startswith("-"):
            if word in COMING and name == "pfund":
                return None
            missing = [w for w in word.split("|") if w not in subs]
            if missing:
                return f"no command {missing[0]!r} under {name!r}"
            if "|" in word:
                return None
            command, name = subs[word], word
        elif word.startswith("--") and word.split("=")[0] not in _options(command) | {"--help"}:
            return f"no option {word!r} for {name!r}"
        i += 1
    return None


def test_every_command_the_pages_show_exists_with_its_options() -> None:
    shown = shown_commands()
    assert len(shown) > 100
    root = root_command()
    wrong = [
        f"{page}: pfund {' '.join(w)}: {why}"
        for page, w in shown
        if (why := check_command(w, root))
    ]
    assert not wrong, "\n".join(wrong)
