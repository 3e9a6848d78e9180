"""Check digits of Russian registry identifiers: INN (taxpayer) and OGRN (registration).

The algorithms are the published ones (Federal Tax Service orders):

- INN of an organisation, 10 digits: the weighted sum of the first nine digits with
  weights 2 4 10 3 5 9 4 6 8, modulo 11, modulo 10, is the tenth digit.
- INN of a person, 12 digits: two check digits, the 11th from the first ten digits with
  weights 7 2 4 10 3 5 9 4 6 8, the 12th from the first eleven with weights
  3 7 2 4 10 3 5 9 4 6 8, each modulo 11, modulo 10.
- OGRN, 13 digits: the number formed by the first 12 digits, modulo 11, modulo 10.
- OGRNIP (a sole trader's OGRN), 15 digits: the first 14 digits, modulo 13, modulo 10.
"""

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def inn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid INN, or None if it is one."""
    if not value.isdigit() or len(value) not in (10, 12):
        return f"INN '{value}' must be 10 or 12 digits"
    if len(value) == 10:
        ok = _check_digit(value[:9], _INN10) == int(value[9])
    else:
        ok = _check_digit(value[:10], _INN11) == int(value[10])
        ok = ok and _check_digit(value[:11], _INN12) == int(value[11])
    return None if ok else f"INN '{value}' has a wrong check digit"


def ogrn_problem(value: str) -> str | None:
    """Why ``value`` is not a valid OGRN (13 digits) or OGRNIP (15), or None if it is."""
    if not value.isdigit() or len(value) not in (13, 15):
        return f"OGRN '{value}' must be 13 digits (15 for a sole trader's OGRNIP)"
    modulus = 11 if len(value) == 13 else 13
    ok = int(value[:-1]) % modulus % 10 == int(value[-1])
    return None if ok else f"OGRN '{value}' has a wrong check digit"


def is_valid_inn(value: str) -> bool:
    """Whether ``value`` is a 10- or 12-digit INN with correct check digits."""
    return inn_problem(value) is None


def is_valid_ogrn(value: str) -> bool:
    """Whether ``value`` is a 13-digit OGRN or 15-digit OGRNIP with a correct check digit."""
    return ogrn_problem(value) is None
