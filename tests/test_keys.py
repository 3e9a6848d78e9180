"""The installation's keys file: created once, private, and read back exactly."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from pfund.errors import InvalidInput
from pfund.keys import ensure_keys, read_keys, write_keys


def test_created_once_with_owner_only_mode(tmp_path: Path) -> None:
    path = tmp_path / "pfund.keys"
    keys, created = ensure_keys(path)
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = ensure_keys(path)
    assert not created_again
    assert again == keys
    assert len(keys.secret_key) >= 32 and len(keys.audit_key) == 32
    assert keys.data_key == keys.data_keys[keys.data_key_id]


def test_two_installations_get_different_keys(tmp_path: Path) -> None:
    first, _ = ensure_keys(tmp_path / "a.keys")
    second, _ = ensure_keys(tmp_path / "b.keys")
    assert first.secret_key != second.secret_key
    assert first.audit_key != second.audit_key
    assert first.fingerprint("audit") != second.fingerprint("audit")


def test_rotation_keeps_old_data_keys_readable(tmp_path: Path) -> None:
    keys, _ = ensure_keys(tmp_path / "pfund.keys")
    rotated = write_keys(keys.with_new_data_key(), tmp_path / "pfund.keys")
    back = read_keys(tmp_path / "pfund.keys")
    assert back.data_key_id != keys.data_key_id
    assert back.data_keys[keys.data_key_id] == keys.data_key
    assert back == rotated
    with pytest.raises(ValueError, match="current"):
        back.without_data_keys_except({keys.data_key_id})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("audit_key"), "audit_key"),
        (lambda d: d.update(audit_key="c2hvcnQ="), "32 bytes"),
        (lambda d: d.update(secret_key="short"), "shorter than 32"),
        (lambda d: d.update(data_key_id="nope"), "names no key"),
        (lambda d: d.update(format="other"), "format"),
    ],
)
def test_a_broken_file_is_named_with_its_reason(tmp_path: Path, change, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "pfund.keys"
    ensure_keys(path)
    body = json.loads(path.read_text())
    change(body)
    path.write_text(json.dumps(body))
    with pytest.raises(InvalidInput) as err:
        read_keys(path)
    assert str(path) in err.value.message
    assert any(reason in str(p) for p in err.value.problems)
