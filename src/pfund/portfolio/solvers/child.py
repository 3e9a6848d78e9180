"""Entry point of a guarded solve's child process (see `guard.py`).

The parent writes the pickled job on stdin and reads pickled messages from the original
stdout; fd 1 is pointed at stderr first so nothing a solver prints can corrupt the
message stream. A module of its own: run with ``-m``, `guard` itself would be imported
twice (as ``__main__`` and through the package), with two copies of its state.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from pfund.portfolio.solvers.guard import child


def main() -> None:
    """Read the job from stdin, solve it, send the messages to the saved stdout."""
    outbox = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    child(sys.stdin.buffer, outbox)


if __name__ == "__main__":
    main()
