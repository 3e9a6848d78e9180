"""A small, documented phonetic folding for Latin spellings of Slavic names.

The same Russian name reaches us as English ``Khrushchev``, German ``Chruschtschow``,
French ``Khrouchtchev``, Polish ``Chruszczow`` or scientific ``Xruščëv``. Each national
spelling convention writes the same Cyrillic letter with a different group of Latin
letters. Folding maps every such group to one symbol, so the spellings above all become
``hruQev`` or ``hruQov``. Upper-case letters are symbols for sounds, never letters:

- ``S`` stands for ш (sh, sch, sz, š),
- ``Q`` stands for щ (shch, schtsch, szcz, chtch, šč, ŝ): Щипов and Шипов are different
  names, and folding both to one symbol made Shchipov and Shipov the same word (a
  Cyrillic name is indexed in every scheme, so a scheme writing щ as sch still meets it),
- ``C`` stands for ч (ch, tch, tsch, cz, č),
- ``Z`` stands for ж (zh, ž).

Other rules: х written ``kh`` or (before a consonant) ``ch`` becomes ``h``; ``ou`` becomes
``u`` (French); ``w`` becomes ``v`` (German, Polish); ``y`` and ``j`` become ``i``;
``ph`` becomes ``f``; ``ts``/``tz`` become ``c`` (ц); ``x`` becomes ``ks``; repeated
letters collapse. The folding is deliberately coarse: it only has to bring spellings of
one name together; telling names apart is the scorer's job.
"""

import re

# Longest groups first: the regex alternation takes the first alternative that matches.
_GROUPS: tuple[tuple[str, str], ...] = (
    ("schtsch", "Q"),
    ("chtch", "Q"),
    ("shch", "Q"),
    ("szcz", "Q"),
    ("tsch", "C"),
    ("sch", "S"),
    ("tch", "C"),
    ("šč", "Q"),
    ("sh", "S"),
    ("sz", "S"),
    ("š", "S"),
    ("ŝ", "Q"),
    ("zh", "Z"),
    ("ž", "Z"),
    ("cz", "C"),
    ("č", "C"),
    ("kh", "h"),
    ("ou", "u"),
    ("ph", "f"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("x", "ks"),
)
_GROUP_MAP = dict(_GROUPS)
_GROUP_RE = re.compile("|".join(re.escape(group) for group, _ in _GROUPS))
_CH_BEFORE_CONSONANT = re.compile(r"ch(?=[bcdfgklmnpqrstvwz])")
_REPEATS = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiouy]")


def fold(token: str) -> str:
    """Fold one lower-case Latin token into its phonetic key (see the module docstring)."""
    token = _GROUP_RE.sub(lambda match: _GROUP_MAP[match.group(0)], token)
    token = _CH_BEFORE_CONSONANT.sub("h", token)
    token = token.replace("ch", "C")
    return _REPEATS.sub(r"\1", token)


def skeleton(key: str) -> str:
    """The consonants of a folded key, keeping a leading vowel: ``hruSev`` -> ``hrSv``."""
    if not key:
        return key
    return key[0] + _VOWELS.sub("", key[1:])
