"""The time-limit guard every solver adapter runs behind on big problems (issue #18).

Why: a solver checks its clock only where its authors put the checks. Measured (HiGHS
1.16, 1 thread): on a 20,000-project pipeline the root cut loop ran 53 s past a 10 s
limit without calling back; CP-SAT builds its model in Python and presolves before its
clock starts; `highs-core` and `highs-hyper` chain or race several such runs. So from
`GUARD_FROM` projects a solve runs in a child process, ``python -m
pfund.portfolio.solvers.child`` (not a multiprocessing child, which would import the
caller's main module: the whole CLI, seconds under load), in its own process group:

- the parent pickles (solver, problem, rows, deadline, gap, threads, start) to the child's
  stdin, ``start`` being a portfolio known to keep the rules (a robustness draw's warm
  start: the best of the base portfolio and the draws before it), or None;
- the child solves with the adapter's own `child_solve`, sending every portfolio it
  finds (``incumbent``: selection and the bound known then) and then its answer
  (``final``) on the original stdout (fd 1 is pointed at stderr first, so nothing a
  solver prints can corrupt the messages);
- the parent waits until ``start + time_limit * (1 + GRACE)``; a child still busy then
  is killed with its whole group (a `highs-hyper` race's second process too) and the
  best portfolio it sent is returned as FEASIBLE with the best bound it sent, marked
  `timed_out`, never OPTIMAL unless that bound proves it.

A run that ends in time gives the same answer as an in-process solve.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status, relative_gap

if TYPE_CHECKING:
    from pfund.portfolio.solvers.base import Solver

__all__ = ["GRACE", "GUARD_FROM", "STOPPED", "child", "run_guarded", "settle"]

BoolArray = npt.NDArray[np.bool_]
GUARD_FROM = 5000  # below this, every adapter measured within 1 s of its limit in-process
# Share of the limit given to the child to stop on its own and report. 3%, not the 5%
# of the first guard: the parent needs the rest of the 10% when it is starved of CPU
# itself (0.3-0.6 s at a 10 s limit were spent reaping a killed child and building the
# answer at load 18); a child killed early loses only what it found after its last report.
GRACE = 0.03
STOPPED = "stopped at the time limit"


def run_guarded(
    solver: Solver,
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    time_limit: float,
    rel_gap: float,
    threads: int | None,
    start: float,
    warm: BoolArray | None = None,
) -> Solution:
    """Solve in a child process and stop it at the limit, whatever the solver is doing;
    ``warm`` (a portfolio that keeps the rules) is the child's first incumbent."""
    from pfund.portfolio.solvers.base import error_solution

    stop_at = time.monotonic() + time_limit - (time.perf_counter() - start)
    hard_stop = start + time_limit * (1 + GRACE)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pfund.portfolio.solvers.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,  # its own process group: killed with anything it started
    )
    assert proc.stdin is not None and proc.stdout is not None
    inbox = Connection(os.dup(proc.stdout.fileno()), writable=False)
    proc.stdout.close()
    best: BoolArray | None = None
    bound = np.inf
    final: Solution | None = None
    killed = False
    job = pickle.dumps((solver, problem, extra, stop_at, rel_gap, threads, warm))
    # written by a thread: a pipe takes 64 KB, so writing the problem (megabytes at
    # 20,000 projects) blocks until the child reads it, which under load can be after the
    # limit (measured: 19 s for a 10 s limit at load 20, all of it before the wait below)
    writer = threading.Thread(target=_write, args=(proc.stdin, job), daemon=True)
    writer.start()
    try:
        while final is None:
            wait = hard_stop - time.perf_counter()
            if wait <= 0 or not inbox.poll(wait):
                break
            kind, payload = inbox.recv()
            if kind == "final":
                final = payload
            else:
                x, said = payload
                bound = min(bound, said)  # an LP's bound can beat the solver's early one
                if best is None or problem.portfolio_value(x) > problem.portfolio_value(best):
                    best = x
    except (EOFError, OSError):
        pass
    finally:
        killed = kill_group(proc)
        writer.join()  # the pipe broke with the child, so the write has ended
        inbox.close()
    seconds = time.perf_counter() - start
    if final is not None and (final.status is Status.INFEASIBLE or best is None):
        return replace(final, seconds=seconds)
    if best is None:
        why = (
            "no portfolio found before the time limit"
            if proc.returncode in (0, -signal.SIGKILL)
            else f"the solver process ended without an answer (exit {proc.returncode})"
        )
        out = error_solution(solver, problem.n, why, seconds)
        return replace(out, timed_out=killed or final is None)
    if final is not None:
        return settle(solver, problem, final, best, bound, rel_gap, start)
    value = problem.portfolio_value(best)
    status = Status.OPTIMAL if relative_gap(value, bound) <= rel_gap else Status.FEASIBLE
    found = portfolio(solver, problem, best, status, bound, start)
    return replace(found, message=STOPPED, timed_out=True)


def _write(pipe: Any, data: bytes) -> None:
    """Give the child its job; a child killed before reading it breaks the pipe."""
    try:
        with contextlib.suppress(OSError):
            pipe.write(data)
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def kill_group(proc: subprocess.Popen[bytes]) -> bool:
    """Kill the child's process group if it is still running; True when it had to be."""
    killed = proc.poll() is None
    if killed:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed


def settle(
    solver: Solver,
    problem: PortfolioProblem,
    solution: Solution,
    incumbent: BoolArray | None,
    bound: float,
    rel_gap: float,
    start: float,
) -> Solution:
    """The better of the solver's answer and a known valid `incumbent`, with the best bound.

    "optimal" needs the solver's proof of its own answer or a gap within `rel_gap`.
    """
    if solution.status is Status.INFEASIBLE:
        return solution
    chosen = solution.selected if solution.has_portfolio else None
    if incumbent is not None and (
        chosen is None or problem.portfolio_value(incumbent) > solution.objective
    ):
        chosen = incumbent
    if chosen is None:
        return solution
    best_bound = float(np.nanmin([solution.bound, bound]))
    value = problem.portfolio_value(chosen)
    proven = solution.status is Status.OPTIMAL and chosen is solution.selected
    status = Status.OPTIMAL if proven or relative_gap(value, best_bound) <= rel_gap else None
    result = portfolio(solver, problem, chosen, status or Status.FEASIBLE, best_bound, start)
    own = chosen is solution.selected  # the solver's message is about its own answer
    message = solution.message if own else ""
    return replace(result, notes=solution.notes, message=message, timed_out=solution.timed_out)


def portfolio(
    solver: Solver,
    problem: PortfolioProblem,
    x: BoolArray | None,
    status: Status,
    bound: float,
    start: float,
) -> Solution:
    """A `Solution` for selection `x` (None: no portfolio) with its gap to `bound`."""
    selected = np.zeros(problem.n, dtype=bool) if x is None else x
    objective = problem.portfolio_value(selected) if x is not None else float("nan")
    gap = relative_gap(objective, bound) if x is not None else float("inf")
    return Solution(
        selected=selected,
        objective=objective,
        bound=bound if x is not None else float("nan"),
        gap=gap,
        status=status,
        seconds=time.perf_counter() - start,
        solver=solver.name,
        solver_version=solver.version(),
    )


_IN_CHILD: dict[str, bool] = {}


def in_child() -> bool:
    """True inside a guard's child: solves nested in it (a `highs-core` core, say) run
    in-process, so killing the child's group stops them too."""
    return _IN_CHILD.get("yes", False)


def child(stdin: Any, outbox: Any) -> None:
    """The child's side: read the job, solve it reporting each portfolio, send the answer."""
    _IN_CHILD["yes"] = True
    solver, problem, extra, stop_at, rel_gap, threads, warm = pickle.load(stdin)
    solver._start = warm  # this process's copy of the solver: read by child_solve

    def report(x: BoolArray, bound: float) -> None:
        outbox.send(("incumbent", (np.asarray(x, dtype=bool), float(bound))))

    outbox.send(("final", solver.child_solve(problem, extra, stop_at, rel_gap, threads, report)))
    outbox.close()
