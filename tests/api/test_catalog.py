"""Every message of the pages and of the board report has a Russian translation, with
the same placeholders."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from pfund.web import i18n

WEB = Path(str(files("pfund.web")))
REPORTS = Path(str(files("pfund.reports")))  # the board report uses the pages' catalog
METHODS = [("**.py", "python"), ("templates/**.j2", "jinja2")]
OPTIONS = {
    "templates/**.j2": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "True",
        "lstrip_blocks": "True",
    }
}


@pytest.mark.parametrize(("folder", "least"), [(WEB, 150), (REPORTS, 100)])
def test_every_message_of_the_pages_is_translated_into_russian(folder: Path, least: int) -> None:
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(folder),
            METHODS,
            options_map=OPTIONS,
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "Nn_": (1, 2)},
        )
    }
    assert len(found) > least
    catalog = i18n.catalog("ru")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string}
    assert sorted(found - translated) == []
    assert list(catalog.check()) == []


def test_every_screening_phrase_has_a_russian_translation() -> None:
    """The explanation builder lives outside the pages (pfund.screening), so its phrases
    are not extracted with them: check them here, placeholders included."""
    from pfund.screening.wording import FEATURE_NAMES, PARTS, PHRASES

    catalog = i18n.catalog("ru")
    for message in [*PARTS.values(), *PHRASES.values(), *FEATURE_NAMES.values()]:
        found = catalog.get(message)
        assert found is not None and found.string, message
        assert sorted(re.findall(r"%\(\w+\)s", str(found.string))) == sorted(
            re.findall(r"%\(\w+\)s", message)
        )
