"""Entry point of a guarded HiGHS solve (see `HighsSolver._guarded`).

The parent writes the pickled problem on stdin and reads pickled messages from the
original stdout; fd 1 is pointed at stderr first so nothing HiGHS prints can corrupt
the message stream.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from pfund.portfolio.solvers.highs import guarded_child


def main() -> None:
    """Read the problem from stdin, solve it, send the messages to the saved stdout."""
    outbox = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    guarded_child(sys.stdin.buffer, outbox)


if __name__ == "__main__":
    main()
