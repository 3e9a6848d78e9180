"""The installation's keys, kept in a file outside the database and never in it.

Three secrets protect three promises, and each must survive a stolen database dump:

- ``secret_key`` signs session cookies and CSRF tokens (a forged cookie needs it);
- ``audit_key`` keys the audit chain's HMAC, so whoever can write the database but not
  read this file cannot rewrite history and recompute the hashes;
- ``data_keys`` encrypt protected fields at rest (AES-GCM); several may be present so
  that a rotation can re-encrypt with the current one while older values stay readable.

The file is JSON, created with mode 600 by ``pfund init`` (or the first command that
opens a store) when none exists; ``PFUND_KEYS_FILE`` says where it lives. Losing it
loses the protected fields and the means to check the audit chain, so back it up
separately from the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pfund.errors import InvalidInput, Problem

KEYS_FORMAT = "pfund-keys"
KEYS_VERSION = 1
DEFAULT_KEYS_FILE = "pfund.keys"
KEY_BYTES = 32


@dataclass(frozen=True)
class Keys:
    """The secrets of one installation (see the module docstring for what each guards)."""

    secret_key: str
    audit_key: bytes
    data_keys: dict[str, bytes]
    data_key_id: str
    created_at: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def data_key(self) -> bytes:
        """The key new protected values are encrypted with."""
        return self.data_keys[self.data_key_id]

    def fingerprint(self, purpose: str) -> str:
        """A short public digest of one key, to tell which key a store was written with.

        Derived with a purpose label so the fingerprint reveals nothing usable about the
        key itself.
        """
        material = self.audit_key if purpose == "audit" else self.data_keys[purpose]
        return hashlib.sha256(b"pfund-key-fingerprint:" + material).hexdigest()[:16]

    def with_new_data_key(self) -> Keys:
        """These keys plus a fresh data key, which becomes the current one (rotation)."""
        key_id = _new_key_id(self.data_keys)
        return replace(
            self,
            data_keys={**self.data_keys, key_id: secrets.token_bytes(KEY_BYTES)},
            data_key_id=key_id,
        )

    def without_data_keys_except(self, keep: set[str]) -> Keys:
        """Drop retired data keys once nothing is encrypted with them any more."""
        if self.data_key_id not in keep:
            raise ValueError("the current data key cannot be dropped")
        return replace(self, data_keys={k: v for k, v in self.data_keys.items() if k in keep})


def generate_keys() -> Keys:
    """Fresh random keys for a new installation."""
    key_id = _new_key_id({})
    return Keys(
        secret_key=secrets.token_urlsafe(48),
        audit_key=secrets.token_bytes(KEY_BYTES),
        data_keys={key_id: secrets.token_bytes(KEY_BYTES)},
        data_key_id=key_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def read_keys(path: Path) -> Keys:
    """Keys from ``path``; a clear error naming the file and field when it is not valid."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(
            f"no keys file at {path}",
            [Problem("run 'pfund init' to create one, or set PFUND_KEYS_FILE", str(path))],
        ) from None
    except (OSError, ValueError) as err:
        raise InvalidInput(
            f"{path} is not a pfund keys file", [Problem(str(err), str(path))]
        ) from None
    try:
        if raw.get("format") != KEYS_FORMAT:
            raise ValueError(f"format is {raw.get('format')!r}, not {KEYS_FORMAT!r}")
        data_keys = {str(k): _decode(v, f"data_keys.{k}") for k, v in raw["data_keys"].items()}
        current = str(raw["data_key_id"])
        if current not in data_keys:
            raise ValueError(f"data_key_id {current!r} names no key in data_keys")
        secret = str(raw["secret_key"])
        if len(secret) < 32:
            raise ValueError("secret_key is shorter than 32 characters")
        return Keys(
            secret_key=secret,
            audit_key=_decode(raw["audit_key"], "audit_key"),
            data_keys=data_keys,
            data_key_id=current,
            created_at=str(raw.get("created_at", "")),
            path=path,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        field_name = err.args[0] if isinstance(err, KeyError) else None
        reason = f"missing field {field_name}" if field_name else str(err)
        raise InvalidInput(
            f"{path} is not a valid pfund keys file", [Problem(reason, str(path))]
        ) from None


def write_keys(keys: Keys, path: Path) -> Keys:
    """Write ``keys`` to ``path`` atomically, readable by its owner only (mode 600)."""
    body: dict[str, Any] = {
        "format": KEYS_FORMAT,
        "version": KEYS_VERSION,
        "created_at": keys.created_at,
        "secret_key": keys.secret_key,
        "audit_key": _encode(keys.audit_key),
        "data_keys": {k: _encode(v) for k, v in keys.data_keys.items()},
        "data_key_id": keys.data_key_id,
    }
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pfund-keys-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return replace(keys, path=path)


def ensure_keys(path: Path) -> tuple[Keys, bool]:
    """The keys at ``path``, creating them first when the file does not exist.

    Returns the keys and whether they were created now. Creation uses an exclusive lock
    file so that two processes starting at once agree on one set of keys.
    """
    if path.exists():
        return read_keys(path), False
    lock = path.with_name(path.name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return _wait_for(path, lock), False
    try:
        if path.exists():
            return read_keys(path), False
        return write_keys(generate_keys(), path), True
    finally:
        os.close(fd)
        lock.unlink(missing_ok=True)


def _wait_for(path: Path, lock: Path) -> Keys:
    """Another process is creating the keys: wait (bounded) for its file to appear."""
    import time

    for _ in range(200):
        if path.exists() and not lock.exists():
            return read_keys(path)
        time.sleep(0.05)
    if path.exists():
        return read_keys(path)
    raise InvalidInput(
        f"the keys file {path} is being created by another process and did not appear",
        [Problem(f"remove {lock} if no pfund process is running", str(path))],
    )


def _new_key_id(existing: dict[str, bytes]) -> str:
    while True:
        key_id = "k" + secrets.token_hex(4)
        if key_id not in existing:
            return key_id


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode(text: Any, name: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(str(text).encode("ascii"))
    except (ValueError, UnicodeEncodeError) as err:
        raise ValueError(f"{name} is not base64: {err}") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{name} must be {KEY_BYTES} bytes, got {len(raw)}")
    return raw


KEYS_FILE_VARIABLE = "PFUND_KEYS_FILE"
_loaded: dict[Path, Keys] = {}


def default_keys() -> Keys:
    """The keys of the file ``PFUND_KEYS_FILE`` names (``pfund.keys`` here if unset).

    For code that opens a store without settings in hand (tests, a bare unit of work);
    interfaces pass the keys of their settings explicitly. Cached per file, since the
    keys of a running installation do not change under it.
    """
    path = Path(os.environ.get(KEYS_FILE_VARIABLE) or DEFAULT_KEYS_FILE).resolve()
    if path not in _loaded:
        _loaded[path] = ensure_keys(path)[0]
    return _loaded[path]
