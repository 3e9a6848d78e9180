"""Passwords are stored as argon2id at the cost a fund needs, whatever the tests use.

The test suite hashes passwords at argon2's least cost in its own process
(``tests/conftest.py``), so the fund's parameters are checked here on the hasher that
``pfund.services.accounts`` made when it was imported, and a hash made at the fund's
cost signs in and is rehashed at the current parameters, as after a change of them.
"""

from __future__ import annotations

from argon2 import Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from pfund.domain.account import Role
from pfund.services import accounts
from pfund.services.runtime import Runtime
from tests.conftest import PRODUCTION_HASHER

PASSWORD = "correct horse battery staple"


def test_the_funds_hasher_is_argon2id_at_the_rfc_9106_low_memory_cost() -> None:
    assert PRODUCTION_HASHER.type is Type.ID
    assert PRODUCTION_HASHER.time_cost >= RFC_9106_LOW_MEMORY.time_cost == 3
    assert PRODUCTION_HASHER.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost == 64 * 1024
    assert PRODUCTION_HASHER.parallelism == RFC_9106_LOW_MEMORY.parallelism
    stored = PRODUCTION_HASHER.hash(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_hash_made_at_other_parameters_signs_in_and_is_rehashed(rt: Runtime) -> None:
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    with rt.uow() as uow:
        uow.users.set_password_hash("ana", PRODUCTION_HASHER.hash(PASSWORD))
        uow.commit()
    assert accounts.authenticate(rt, "ana", PASSWORD).username == "ana"
    with rt.uow() as uow:
        stored = uow.users.password_hash("ana")
    assert stored is not None
    assert not accounts._hasher.check_needs_rehash(stored)
    assert PRODUCTION_HASHER.check_needs_rehash(stored) is (
        accounts._hasher is not PRODUCTION_HASHER
    )
