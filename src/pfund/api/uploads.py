"""Uploaded files: written under a name of their own inside a fresh folder.

A browser sends whatever file name it likes; only its last part is kept, and a name
that is no file name at all (empty, ``.``, ``..``) is refused, so that nothing is ever
written outside the folder or over it.
"""

from __future__ import annotations

from pathlib import Path

from pfund.errors import InvalidInput, Problem

MAX_NAME = 200


def upload_name(filename: str | None, default: str) -> str:
    """The upload's own file name (its last path part), or an error naming the problem."""
    name = Path((filename or default).replace("\\", "/")).name
    if name in {"", ".", ".."} or len(name) > MAX_NAME or "\0" in name:
        shown = (filename or "")[:40]
        reason = f"the file needs a name of at most {MAX_NAME} characters, such as '{default}'"
        raise InvalidInput(f"cannot use the file name '{shown}'", [Problem(reason, file=shown)])
    return name
