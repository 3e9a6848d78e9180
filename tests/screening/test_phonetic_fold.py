"""``phonetic.fold`` rewrites a word as the regular expressions it replaced did.

The reference below is fold as it was written until session 23: one substitution by the
alternation of the letter groups (the first alternative that matches at a place wins),
with a call back for each group found. The scan that replaced it must give the same key
for every word, or the index and the scorer would key words differently than before.
"""

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfund.screening import phonetic
from pfund.screening.phonetic import _GROUPS, fold

_MAP = dict(_GROUPS)
_GROUP_RE = re.compile("|".join(re.escape(group) for group, _ in _GROUPS))
_CH_BEFORE_CONSONANT = re.compile(r"ch(?=[bcdfgklmnpqrstvwz])")
_SC_BEFORE_FRONT_VOWEL = re.compile(r"sc(?=[ei])")
_REPEATS = re.compile(r"(.)\1+")

# Every letter a group or a rule looks at, a few others, and characters that no rule
# names (a digit, a hyphen, a capital that a rule writes, a line break).
LETTERS = "abcdefghijklmnopqrstuvwxyzšŝžżčSCQZ0-\n"


def reference(token: str, *, collapse: bool = True) -> str:
    token = _SC_BEFORE_FRONT_VOWEL.sub("S", token)
    token = _GROUP_RE.sub(lambda match: _MAP[match.group(0)], token)
    token = _CH_BEFORE_CONSONANT.sub("h", token)
    token = token.replace("ch", "C")
    return _REPEATS.sub(r"\1", token) if collapse else token


WORDS = [
    "schtschukin",
    "chtchoukine",
    "shchukin",
    "szczepanski",
    "tschechow",
    "scherbakov",
    "tchaikovsky",
    "ščukin",
    "ŝukin",
    "tsvetaeva",
    "zwetajewa",
    "khrushchev",
    "chruschtschow",
    "xrushhyov",
    "joukov",
    "philipp",
    "sciences",
    "chmielnicki",
    "yakovlev",
    "aaabbbccc",
    "",
]


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("collapse", [True, False])
def test_named_words_fold_as_before(word: str, collapse: bool) -> None:
    assert fold(word, collapse=collapse) == reference(word, collapse=collapse)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=LETTERS, max_size=16), st.booleans())
def test_any_word_folds_as_before(word: str, collapse: bool) -> None:
    assert fold(word, collapse=collapse) == reference(word, collapse=collapse)


def test_dense_words_of_group_letters_fold_as_before() -> None:
    """Words made only of the letters groups start or continue with, where groups
    overlap most (tsch inside schtsch, sh inside shch): 20,000 of them."""
    rng = random.Random(23)
    letters = "schtzkjwyxopšžčŝżei"
    for _ in range(20_000):
        word = "".join(rng.choice(letters) for _ in range(rng.randint(1, 12)))
        assert fold(word) == reference(word), word
        assert fold(word, collapse=False) == reference(word, collapse=False), word


def test_groups_are_tried_in_their_order() -> None:
    """Each letter's groups keep ``_GROUPS``' order (schtsch before sch before sh)."""
    for first, groups in phonetic._GROUPS_BY_FIRST.items():
        expected = [(group, value) for group, value in _GROUPS if group[0] == first]
        assert list(groups) == expected
