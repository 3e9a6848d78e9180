"""Cyrillic to Latin in several iuliia schemes; other scripts pass through unchanged."""

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Final

import iuliia
from icu import Transliterator, UTransDirection
from normality import ascii_text

# Schemes that disagree on ё, х, ц, ч, ш, щ, й, я, ю: together they cover passports,
# road signs, libraries and the scientific transliteration.
SCHEMES: Final[tuple[iuliia.Schema, ...]] = (
    iuliia.WIKIPEDIA,
    iuliia.BGN_PCGN,
    iuliia.MVD_782,
    iuliia.ICAO_DOC_9303,
    iuliia.GOST_779,
    iuliia.SCIENTIFIC,
    iuliia.MOSMETRO,
)

# Letters of other Cyrillic alphabets that the Russian schemes leave untouched. Belarusian
# ў is w (BGN/PCGN's Belarusian table; ŭ in the national system and Łacinka): it stands
# where Russian writes в or л (Ціханоўская, Тихановская), and w folds to v.
_EXTRA_CYRILLIC: Final = str.maketrans(
    {"ү": "u", "ө": "o", "і": "i", "ї": "yi", "є": "ye", "ў": "w", "ґ": "g", "ә": "a",
     "қ": "k", "ң": "n", "ғ": "g", "ұ": "u", "һ": "h", "ј": "j", "љ": "lj", "њ": "nj",
     "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz"}
)  # fmt: skip
_CYRILLIC: Final = re.compile(r"[\u0400-\u04ff]")
_JOINERS: Final = re.compile(r"[.'’ʼʹʺ`´·\u02bb\u0301]")
_SEPARATORS: Final = re.compile(r"[^\w]+|_")
# Number words read as digits, so that Brigade Forty-Four and Brigade 44 agree.
NUMBER_WORDS: Final[dict[str, str]] = {
    word: str(value)
    for value, words in enumerate(
        ("zero", "one first 1st", "two second 2nd", "three third 3rd", "four fourth fourty",
         "five fifth", "six sixth", "seven seventh", "eight eighth", "nine ninth", "ten tenth")
    )
    for word in words.split()
} | {"twenty": "2", "thirty": "3", "forty": "4", "fifty": "5"}  # fmt: skip
# Split RamiMakhlouf but not GmbH: the upper-case letter must start a lower-case word.
# Words whose spellings are kept: enough for the vocabulary of a watchlist of a million
# entities, which building the index spells anyway, so that screening finds them ready.
WORD_CACHE_SIZE: Final = 2**21
_CAMEL: Final = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def latin_spellings(name: str) -> tuple[str, ...]:
    """Distinct spellings of a name, one per scheme (lower-cased) if it contains Cyrillic."""
    text = unicodedata.normalize("NFC", name)
    if not _CYRILLIC.search(text):
        return (text,)
    words = text.lower().translate(_EXTRA_CYRILLIC).split(" ")
    spelt = [_word_spellings(word) for word in words]
    return tuple(dict.fromkeys(" ".join(column) for column in zip(*spelt, strict=True)))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word_spellings(word: str) -> tuple[str, ...]:
    """One word in every scheme, in the order of ``SCHEMES``. The schemes work word by word
    (their context rules never cross a space), so names share the work for common words."""
    return tuple(translate(word) for translate in _TRANSLATORS)


_SPLITTER: Final = re.compile(r"\b")


class _Translator:
    """One iuliia scheme's ``translate`` with iuliia's own tables and rules, written for
    speed: iuliia looks each letter up through three generators and three dictionaries,
    which was a third of building the index of a million names (each distinct word is
    spelt in seven schemes). Here a letter that no context rule names (most of them) is
    looked up once. The output is iuliia's (``tests/screening/test_index_build.py``
    compares them); a scheme whose tables are not where this expects is left to iuliia."""

    def __init__(self, scheme: iuliia.Schema) -> None:
        self.scheme = scheme
        scheme.translate("")  # iuliia loads a scheme's tables on first use
        tables = getattr(scheme, "_schema", scheme)
        self.letters: dict[str, str] = dict(tables.map)
        self.before: dict[str, str] = dict(tables.prev_map)
        self.after: dict[str, str] = dict(tables.next_map)
        self.endings: dict[str, str] = dict(tables.ending_map)
        # Letters that a context rule may translate otherwise than ``letters`` does.
        self.context = {key[-1] for key in self.before} | {key[0] for key in self.after if key}
        # A scheme without context or ending rules translates letter by letter.
        self.table = None
        if not self.context and not self.endings and all(len(k) == 1 for k in self.letters):
            self.table = str.maketrans(self.letters)

    def __call__(self, source: str) -> str:
        if self.table is not None:
            return source.translate(self.table)
        return "".join(self._word(word) for word in _SPLITTER.split(source) if word)

    def _word(self, word: str) -> str:
        ending = self.endings.get(word[-2:]) if len(word) > 2 else None
        if ending:
            return self._letters(word[:-2]) + ending
        return self._letters(word)

    def _letters(self, word: str) -> str:
        letters, context = self.letters, self.context
        last = len(word) - 1
        out = []
        for at, letter in enumerate(word):
            found = None
            if letter in context:
                found = self.before.get((word[at - 1] if at else "") + letter)
                if found is None:
                    found = self.after.get(letter + (word[at + 1] if at < last else ""))
            out.append(letters.get(letter, letter) if found is None else found)
        return "".join(out)


def _translator(scheme: iuliia.Schema) -> Callable[[str], str]:
    try:
        return _Translator(scheme)
    except AttributeError:  # another iuliia's layout: its own translate
        translate: Callable[[str], str] = scheme.translate
        return translate


_TRANSLATORS: Final[tuple[Callable[[str], str], ...]] = tuple(_translator(s) for s in SCHEMES)


# Compatibility forms (ligatures, full-width letters) folded and letters composed with their
# marks (s + caron is one letter, š, which the phonetic folding reads as ш); the marks that
# still stand after a Latin letter are removed: the tie bar of ALA-LC (t͡s, i͡a), a
# diaeresis or acute on a letter that has no composed form. Left in place they are not
# word characters and would split one word in two ("T͡svetaeva" read as "t" and
# "svetaeva"). Marks of other scripts stay: a Bengali or Khmer vowel sign is a letter.
_MARKS: Final = Transliterator.createFromRules(
    "pfund-latin-marks",
    "::NFKC; [:Latin:] [:Mn:]* { [:Mn:] > ; ::NFC;",
    UTransDirection.FORWARD,
)


# Text of ASCII and Cyrillic letters only (no combining marks, nothing NFKC changes) is
# left as it is by ``_MARKS``: a watchlist's Cyrillic names skip the ICU call.
_UNMARKED: Final = re.compile(r"[\x00-\x7f\u0400-\u0481\u048a-\u04ff]*")


def strip_marks(text: str) -> str:
    """The text with compatibility forms folded and combining marks left after Latin
    letters removed (composed letters such as š, č, ž, é kept: they carry the sound)."""
    if text.isascii() or _UNMARKED.fullmatch(text):
        return text
    return str(_MARKS.transliterate(text))


def tokenise(spelling: str) -> tuple[str, ...]:
    """Lower-case word tokens: dots and apostrophes join, other punctuation and a change
    from lower to upper case starting a new word (RamiMakhlouf, not GmbH) split. Combining
    marks are removed first (``strip_marks``)."""
    text = _CAMEL.sub(" ", strip_marks(spelling)).lower().replace("&", " and ")
    text = _JOINERS.sub("", text)
    return tuple(NUMBER_WORDS.get(token, token) for token in _SEPARATORS.split(text) if token)


def ascii_word(text: str) -> str:
    """Plain lower-case ASCII for a word of any script (ICU through normality)."""
    return (ascii_text(text) or "").replace("?", "").lower()
