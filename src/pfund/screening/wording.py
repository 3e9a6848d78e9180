"""A screening hit explained in a compliance officer's words, word by word.

"Surname matches, given name is a common variant; patronymic missing in the listed
name" says what the feature table (``score.explain``) says in numbers: which words of
the two names were paired, how alike each pair is and why (the same spelling, another
transliteration, a known variant or nickname of one given name, an initial), which words
have no counterpart, and the features that hold two names apart (different patronymics,
legal forms, a number or a place in one name only).

Pure: the phrases are English messages with ``%(name)s`` placeholders; ``render`` takes
the page's ``gettext`` so that the same phrases read in Russian. Names are shown as the
comparison saw them (transliterated, capitalised).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from pfund.screening import entity_marks
from pfund.screening.align import COUNTERPART_MIN, Alignment
from pfund.screening.features import (
    CONVERTED,
    legal_form_conflict,
    lineage_swapped,
    marks_apart,
    order_changed,
    patronymic_conflict,
    place_differs,
    unpaired_number,
)
from pfund.screening.lexicon import given_name_symbols
from pfund.screening.names import PERSON, Token
from pfund.screening.score import best_alignment

__all__ = [
    "FEATURE_NAMES",
    "PARTS",
    "PHRASES",
    "Phrase",
    "describe",
    "explain_words",
    "feature_name",
    "identifier_phrase",
    "render",
]


def N_(message: str) -> str:  # noqa: N802 (the gettext convention: marks a message)
    return message


# The parts of a name a phrase speaks of.
PARTS: Final = {
    "surname": N_("surname"),
    "given": N_("given name"),
    "patronymic": N_("patronymic"),
    "word": N_("word"),
}
# Every phrase an explanation may hold, by what it says.
PHRASES: Final = {
    "same": N_("%(part)s matches (%(left)s)"),
    "spelling": N_("%(part)s is another spelling of the same word (%(left)s / %(right)s)"),
    "variant": N_("%(part)s is a common variant of the same name (%(left)s / %(right)s)"),
    "initial": N_("%(part)s is an initial that fits (%(left)s / %(right)s)"),
    "similar": N_("%(part)s is similar (%(left)s / %(right)s)"),
    "differs": N_("%(part)s differs (%(left)s / %(right)s)"),
    "missing_listed": N_("%(part)s missing in the listed name (%(left)s)"),
    "missing_ours": N_("%(part)s missing in our record (%(right)s)"),
    "patronymic_conflict": N_("the patronymics differ, so the fathers differ"),
    "order": N_("the words are in another order"),
    "legal_form": N_("the legal forms differ"),
    "number": N_("one name carries a number the other lacks"),
    "place": N_("one name names a place the other lacks"),
    "lineage": N_("the names say whose son someone is the other way round"),
    "nothing": N_("no words could be compared"),
    "identifier": N_("both records carry the same identifier (a registration or tax number)"),
    "legal_form_converted": N_(
        "the legal forms differ, but a Russian company may have changed one into the other"
        " (LLC into JSC, CJSC into JSC, OJSC into PJSC)"
    ),
    "marked_number": N_("one name adds a number (%(words)s): likely a different entity"),
    "marked_branch": N_(
        "the names differ by a branch word (%(words)s): likely a branch, a different entity"
    ),
    "marked_region": N_(
        "the names differ by a region (%(words)s): likely a regional company, a different entity"
    ),
}
# The phrase for each kind of mark that sets two firms apart (``entity_marks``), and the
# older phrase it makes redundant.
MARKED: Final = {
    entity_marks.NUMBER: ("marked_number", "number"),
    entity_marks.BRANCH: ("marked_branch", ""),
    entity_marks.REGION: ("marked_region", "place"),
}
# Each feature of the score (``score.FEATURES``, by function name) in a few words, so
# that the feature table a page discloses reads in the page's language; the numbers
# stay as they are. A test checks that every feature has a name here.
FEATURE_NAMES: Final = {
    "aligned_similarity": N_("how alike the paired words are"),
    "weakest_pair": N_("how alike the least alike pair of words is"),
    "weakest_pair_prefix": N_("how alike the least alike pair is at its start"),
    "token_set_similarity": N_("how alike the sets of words are"),
    "compact_similarity": N_("how alike the names are without spaces"),
    "skeleton_similarity": N_("how alike the consonants are"),
    "extra_person_words": N_("extra words in a person's name"),
    "extra_organisation_words": N_("extra words in an organisation's name"),
    "mismatched_words": N_("words without a counterpart"),
    "same_words": N_("the same words once normalised"),
    "legal_form_conflict": N_("legal forms that differ"),
    "order_changed": N_("words in another order"),
    "patronymic_conflict": N_("patronymics that differ"),
    "lineage_swapped": N_("son and father the other way round"),
    "written_alike": N_("how alike the names are as written"),
    "unpaired_number": N_("a number in one name only"),
    "person": N_("names of people, not organisations"),
    "place_differs": N_("a place in one name only"),
    "marked_apart": N_("a number, branch or region that sets two firms apart"),
    "characters_differ": N_("Chinese, Japanese or Korean characters that differ"),
}
# Endings of Slavic surnames: such a word is the surname wherever it stands; the weak
# ones (Ilyin, but also Konstantin) only when the word is not a known given name.
SURNAME_ENDING: Final = re.compile(r"(?:ov|ev|ova|eva|sky|ski|skiy|skii|skaya|enko|uk|yuk)$")
WEAK_SURNAME_ENDING: Final = re.compile(r"(?:in|ina|yn|yna)$")
ALIKE: Final = 0.999


@dataclass(frozen=True)
class Phrase:
    """One finding: which phrase, and the words that fill it (``part`` is translated)."""

    key: str
    values: dict[str, str] = field(default_factory=dict)

    def render(self, gettext: Callable[[str], str] = lambda text: text) -> str:
        values = dict(self.values)
        if "part" in values:
            values["part"] = gettext(PARTS[values["part"]])
        return gettext(PHRASES[self.key]) % values


def render(phrases: list[Phrase], gettext: Callable[[str], str] = lambda text: text) -> str:
    """The phrases as one sentence, first letter capitalised: "Surname matches (...);
    given name is a common variant (...)"."""
    text = "; ".join(p.render(gettext) for p in phrases)
    return text[:1].upper() + text[1:]


def feature_name(feature: str, gettext: Callable[[str], str] = lambda text: text) -> str:
    """A feature of the score (``aligned_similarity``) in words, in ``gettext``'s
    language; a feature without words yet is shown by its code rather than not at all."""
    return gettext(FEATURE_NAMES[feature]) if feature in FEATURE_NAMES else feature


def identifier_phrase(summary: str) -> list[Phrase]:
    """The phrase for a hit raised by a shared identifier (its summary says "same
    identifier ..."), which outweighs whatever the names say; none for a name hit."""
    return [Phrase("identifier")] if summary.startswith("same identifier") else []


def explain_words(name: str, listed: str, kind: str = PERSON) -> list[Phrase]:
    """Why ``name`` (ours) resembles ``listed`` (a watchlist's), in phrases."""
    schema = PERSON if kind.lower() == "person" or kind == PERSON else "Organization"
    return describe(best_alignment(name, listed, schema))


def describe(alignment: Alignment | None) -> list[Phrase]:
    """The phrases for one alignment of two names: each word of ours with its
    counterpart, then the listed name's words we lack, then what holds the names apart."""
    if alignment is None:
        return [Phrase("nothing")]
    person = alignment.schema == PERSON
    left, right = alignment.left.tokens, alignment.right.tokens
    partner = {i: (j, similarity) for i, j, similarity in alignment.pairs}
    paired_right = {j for _, j, _ in alignment.pairs}
    roles = _roles(left) if person else ["word"] * len(left)
    right_roles = _roles(right) if person else ["word"] * len(right)
    out = []
    for index, token in enumerate(left):
        part = roles[index]
        if index not in partner:
            out.append(Phrase("missing_listed", {"part": part, "left": _shown(token)}))
            continue
        j, similarity = partner[index]
        out.append(_pair(part, token, right[j], similarity))
    for j, token in enumerate(right):
        if j not in paired_right:
            out.append(Phrase("missing_ours", {"part": right_roles[j], "right": _shown(token)}))
    return out + _apart(alignment)


def _pair(part: str, one: Token, other: Token, similarity: float) -> Phrase:
    words = {"part": part, "left": _shown(one), "right": _shown(other)}
    if one.text == other.text:
        return Phrase("same", words)
    if len(one.text) == 1 or len(other.text) == 1:
        return Phrase("initial" if similarity >= ALIKE else "differs", words)
    if one.key == other.key:
        return Phrase("spelling", words)
    if part == "given" and given_name_symbols(one.text) & given_name_symbols(other.text):
        return Phrase("variant", words)
    if similarity >= COUNTERPART_MIN:
        return Phrase("similar", words)
    return Phrase("differs", words)


def _roles(tokens: tuple[Token, ...]) -> list[str]:
    """Each word of a person's name as surname, given name or patronymic: a patronymic
    is marked by the name's parser, a surname by a Slavic ending or, failing one, by
    being the only word that is not a known given name, else the last word."""
    roles = ["patronymic" if t.optional else "given" for t in tokens]
    required = [i for i, t in enumerate(tokens) if not t.optional]
    if len(required) < 2:
        return roles
    unknown = [i for i in required if not given_name_symbols(tokens[i].text)]
    slavic = [i for i in required if SURNAME_ENDING.search(tokens[i].text)]
    slavic += [i for i in unknown if WEAK_SURNAME_ENDING.search(tokens[i].text)]
    surname = slavic[0] if slavic else unknown[0] if len(unknown) == 1 else required[-1]
    roles[surname] = "surname"
    return roles


def _apart(alignment: Alignment) -> list[Phrase]:
    """The features that hold two names apart, when present."""
    checks = (
        (patronymic_conflict, "patronymic_conflict"),
        (legal_form_conflict, "legal_form"),
        (unpaired_number, "number"),
        (place_differs, "place"),
        (lineage_swapped, "lineage"),
    )
    found = [Phrase(key) for feature, key in checks if feature(alignment) > 0]
    if legal_form_conflict(alignment) == CONVERTED:
        found = [Phrase("legal_form_converted") if p.key == "legal_form" else p for p in found]
    marked = _marked(alignment)
    redundant = {MARKED[kind][1] for kind in marked}
    found = [phrase for phrase in found if phrase.key not in redundant] + [
        Phrase(MARKED[kind][0], {"words": ", ".join(words)}) for kind, words in marked.items()
    ]
    if order_changed(alignment) > 0 and alignment.schema != PERSON:
        found.append(Phrase("order"))
    return found


def _marked(alignment: Alignment) -> dict[str, list[str]]:
    """The words that set two firms apart (a number, a branch word, a region), by kind."""
    found: dict[str, list[str]] = {}
    for mark in marks_apart(alignment):
        shown = mark.word if mark.kind == entity_marks.NUMBER else mark.word.capitalize()
        if shown not in found.setdefault(mark.kind, []):
            found[mark.kind].append(shown)
    return found


def _shown(token: Token) -> str:
    return token.text.capitalize() if len(token.text) > 1 else f"{token.text.upper()}."
