"""Cyrillic to Latin in several iuliia schemes; other scripts pass through unchanged."""

import re
import unicodedata
from functools import lru_cache

import iuliia
from normality import ascii_text

# Schemes that disagree on ё, х, ц, ч, ш, щ, й, я, ю: together they cover passports,
# road signs, libraries and the scientific transliteration.
SCHEMES: tuple[iuliia.Schema, ...] = (
    iuliia.WIKIPEDIA,
    iuliia.BGN_PCGN,
    iuliia.MVD_782,
    iuliia.ICAO_DOC_9303,
    iuliia.GOST_779,
    iuliia.SCIENTIFIC,
    iuliia.MOSMETRO,
)

# Letters of other Cyrillic alphabets that the Russian schemes leave untouched.
_EXTRA_CYRILLIC = str.maketrans(
    {"ү": "u", "ө": "o", "і": "i", "ї": "yi", "є": "ye", "ў": "u", "ґ": "g", "ә": "a",
     "қ": "k", "ң": "n", "ғ": "g", "ұ": "u", "һ": "h", "ј": "j", "љ": "lj", "њ": "nj",
     "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz"}
)  # fmt: skip
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_JOINERS = re.compile(r"[.'’ʼʹʺ`´·\u02bb\u0301]")
_SEPARATORS = re.compile(r"[^\w]+|_")
# Number words read as digits, so that Brigade Forty-Four and Brigade 44 agree.
NUMBER_WORDS: dict[str, str] = {
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
WORD_CACHE_SIZE = 2**21
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


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
    return tuple(scheme.translate(word) for scheme in SCHEMES)


def tokenise(spelling: str) -> tuple[str, ...]:
    """Lower-case word tokens: dots and apostrophes join, other punctuation and a change
    from lower to upper case starting a new word (RamiMakhlouf, not GmbH) split."""
    text = _CAMEL.sub(" ", spelling).lower().replace("&", " and ")
    text = _JOINERS.sub("", text)
    return tuple(NUMBER_WORDS.get(token, token) for token in _SEPARATORS.split(text) if token)


def ascii_word(text: str) -> str:
    """Plain lower-case ASCII for a word of any script (ICU through normality)."""
    return (ascii_text(text) or "").replace("?", "").lower()
