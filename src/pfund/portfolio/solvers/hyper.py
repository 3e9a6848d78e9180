"""HiGHS on the full model, and at the same time on the best cardinality hyperplanes.

Why: HiGHS's branch-and-cut keeps about one core busy whatever its thread count, and on
hard knapsack-like portfolios its 10-second answers are limited by the incumbents it
finds, not by its proof. The number of chosen projects k is an integer; the LP
relaxation with the extra row ``sum x = k`` bounds every portfolio with k projects
(Vasquez and Hao 2001; Vimont, Boussier and Vasquez 2008). Restricted to the few ks
whose LP bound is highest, the model is much tighter, and HiGHS finds better
portfolios there than in the full model. So, for any `PortfolioProblem`:

1. A second process (spawned, one HiGHS thread) solves the LP relaxation with a free
   cardinality row, walks k to the k* with the best LP bound f(k*), and solves the MIP
   restricted to ``k* - width <= sum x <= k* + width`` until the deadline.
2. This process meanwhile solves the full model exactly as plain HiGHS does, and starts
   the second process from its first user-solution callback (a problem settled at the
   root starts none). Its improving portfolios are handed to the restricted run when
   they fall inside the range (one way: see `Link`).
3. The answer is the better portfolio of the two. Both obey every rule of the problem
   (the restricted model only adds a row), so either is valid.

Honest bound: the full model's dual bound, and also the restricted model's dual bound
combined with the hyperplanes left out. f is concave in k (the value of an LP as a
function of a right-hand side), so every k outside the range has f(k) at most
max(f(k* - width - 1), f(k* + width + 1)); the larger of that and the restricted dual
bound is an upper bound for the whole problem. "optimal" is claimed only when the full
model proves it or the best of these bounds is within ``rel_gap`` of the portfolio.

Without a second core (``threads=1``, or inside a daemonic worker process that cannot
start children) the same two steps run one after the other: the restricted model for
`share` of the limit, then the full model started from its portfolio. `solve_many`
(the robustness draws, one thread each) is plain HiGHS's. A run the full model proves
returns plain HiGHS's own portfolio, since nothing flows into it by default; a run cut
short by the limit depends on machine speed, as with any solver. Not the default:
while it races it slows the proofs HiGHS finishes in seconds (bench/README.md).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers.highs import HighsSolver

__all__ = ["HyperplaneHighsSolver", "Hyperplanes", "hyperplanes"]

BoolArray = npt.NDArray[np.bool_]
# Share of the limit the full model waits past the deadline for the restricted run's
# answer (it was 1 s, which broke the limit + 10% on short limits, issue #18); a run that
# misses it is noted, and from `guard.GUARD_FROM` projects the guard stops both anyway.
_GRACE = 0.04


@dataclass(frozen=True)
class Hyperplanes:
    """The cardinality range to search and the LP bounds that make the result honest.

    `lower`..`upper` is the range of k searched; `outside` bounds every portfolio whose
    k lies outside it (-inf when no such k is feasible); `lp` is the LP optimum.
    """

    lower: int
    upper: int
    outside: float
    lp: float


@dataclass(frozen=True, eq=False)
class Restricted:
    """What the restricted run returns: its portfolio (or None) and a proven bound."""

    selected: BoolArray | None
    bound: float  # upper bound over the whole problem (range dual bound and outside ks)
    note: str


@dataclass(eq=False)
class Link:
    """Two queues between the full and the restricted run, and the callbacks using them.

    Portfolios travel as packed bits with their value. A queue's `put` never blocks (a
    feeder thread writes the pipe), so neither HiGHS run waits on the other. Only
    portfolios better than the receiving run's incumbent are handed to HiGHS (through
    its user-solution callback), and only those inside its cardinality range, since a
    start outside the range would break the restricted model's row.
    """

    outbox: Any  # multiprocessing queues (the context's Queue is not a class to name)
    inbox: Any
    send: bool = True
    receive: bool = True
    latest: dict[str, Any] = field(default_factory=dict)  # best portfolio read, and result

    def mirrored(self) -> Link:
        """The other process's end: its outbox is this one's inbox."""
        return Link(self.inbox, self.outbox, self.send, self.receive)

    def attach(
        self,
        h: Any,
        problem: PortfolioProblem,
        *,
        receive: bool,
        count: tuple[int, int] = (0, 1 << 62),
    ) -> None:
        """Subscribe HiGHS callbacks: send each improving portfolio, take better ones."""
        n = problem.n

        def improved(event: Any) -> None:
            x = np.asarray(event.data_out.mip_solution[:n]) > 0.5
            self.outbox.put(("sol", problem.portfolio_value(x), np.packbits(x)))

        def offer(event: Any) -> None:
            best = self._drain(n, count)
            incumbent = float(event.data_out.mip_primal_bound)
            if best is not None and (not np.isfinite(incumbent) or best[0] > incumbent + 1e-9):
                event.data_in.setSolution(best[1].astype(np.float64))
                self.latest.pop("sol", None)

        if self.send:
            h.cbMipImprovingSolution.subscribe(improved)
        if receive:
            h.cbMipUserSolution.subscribe(offer)

    def _drain(self, n: int, count: tuple[int, int]) -> tuple[float, BoolArray] | None:
        """Read every waiting message; keep the best portfolio in range and any result."""
        while True:
            try:
                kind, *body = self.inbox.get_nowait()
            except queue.Empty:
                break
            if kind == "done":
                self.latest["done"] = body[0]
                continue
            value, bits = body
            x = np.unpackbits(bits, count=n).astype(bool)
            if count[0] <= x.sum() <= count[1] and value > self.latest.get("sol", (-np.inf,))[0]:
                self.latest["sol"] = (value, x)
        best: tuple[float, BoolArray] | None = self.latest.get("sol")
        return best

    def result(self, timeout: float) -> Restricted | None:
        """Wait for the restricted run's answer (None if it does not come in time)."""
        waited = self.latest.get("done")
        end = time.perf_counter() + timeout
        while waited is None and time.perf_counter() < end:
            try:
                kind, *body = self.inbox.get(timeout=max(end - time.perf_counter(), 0.0))
            except queue.Empty:
                break
            if kind == "done":
                waited = body[0]
        return waited if isinstance(waited, Restricted) else None

    def close(self) -> None:
        """Drop whatever the other side will not read, without waiting on it (the parent
        side: the restricted run may already be gone)."""
        for q in (self.outbox, self.inbox):
            q.cancel_join_thread()
            q.close()


class HyperplaneHighsSolver(HighsSolver):
    """Plain HiGHS on the full model, raced against HiGHS on the best cardinality range."""

    name = "highs-hyper"
    label = "HiGHS (cardinality hyperplanes)"

    def __init__(
        self,
        *,
        width: int = 1,
        share: float = 0.5,
        parallel: bool = True,
        exchange: str = "to_restricted",
        delay: float = 0.0,
    ) -> None:
        self.width = width
        self.share = share  # of the limit for the restricted model when run sequentially
        self.parallel = parallel
        self.exchange = exchange  # "to_restricted" (one way), "both" or "none"
        self.delay = delay  # share of the limit the full model runs alone before the race

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        if not self._can_race(threads):
            return self._sequential(problem, extra, time_limit, rel_gap, threads, start)
        try:
            ctx = mp.get_context("spawn")
            link = Link(ctx.Queue(), ctx.Queue(), send=self.exchange != "none")
        except Exception:  # no queues here (no semaphores, say): one after the other
            return self._sequential(problem, extra, time_limit, rel_gap, threads, start)
        race = Race(ctx, link, start, self.delay * time_limit, time_limit)
        race.child_args = (problem, extra, rel_gap, self.width, self.exchange)
        try:
            remaining = max(time_limit - _since(start), 0.0)
            h = self._model(problem, extra, remaining, rel_gap, threads)
            link.attach(h, problem, receive=self.exchange == "both")
            h.cbMipUserSolution.subscribe(race.maybe_start)
            full = self._run(h, problem, start)
            if race.process is None or full.status in (Status.OPTIMAL, Status.INFEASIBLE):
                return replace(full, notes=(*full.notes, race.note(full)))
            found = link.result(max(time_limit * (1 + _GRACE) - _since(start), 0.0))
        finally:
            link.close()
            race.stop()
        if found is None:
            note = "the hyperplane run gave no answer in time"
            return replace(full, notes=(*full.notes, note))
        return self._combine(problem, full, found, rel_gap, start)

    def _can_race(self, threads: int | None) -> bool:
        """Two cores, two threads allowed, and a process that may start children."""
        cores = os.cpu_count() or 1
        if not self.parallel or (threads or cores) < 2 or cores < 2:
            return False
        return not mp.current_process().daemon  # a pool worker may not have children

    def _sequential(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        """Restricted model for `share` of the limit, then the full model from its portfolio."""
        found = restricted_run(
            problem, extra, self.share * time_limit, rel_gap, self.width, threads
        )
        h = self._model(problem, extra, max(time_limit - _since(start), 0.0), rel_gap, threads)
        if found.selected is not None:
            cols = np.arange(problem.n, dtype=np.int32)
            h.setSolution(problem.n, cols, found.selected.astype(np.float64))
        full = self._run(h, problem, start)
        if full.status is Status.INFEASIBLE:
            return full
        return self._combine(problem, full, found, rel_gap, start)

    def _combine(
        self,
        problem: PortfolioProblem,
        full: Solution,
        found: Restricted,
        rel_gap: float,
        start: float,
    ) -> Solution:
        """The better portfolio of the two runs, with the tightest proven bound."""
        settled = self._settle(problem, full, found.selected, found.bound, rel_gap, start)
        return replace(settled, notes=(*settled.notes, found.note))


@dataclass(eq=False)
class Race:
    """Starts the restricted run from the full model's first user-solution callback.

    So a problem HiGHS settles in presolve or at the root never starts a process, and
    with `delay` (seconds; 0 by default) the full model may run alone for a while. The
    callback comes every few dozen milliseconds of the search, so the full model's tree
    is kept. Spawned, not forked: HiGHS's worker threads are running. Measured
    (bench/README.md): waiting a fifth of the limit spares pipelines that HiGHS proves
    in seconds but costs the knapsacks, and a niced process starves on a shared machine.
    """

    ctx: Any
    link: Link
    start: float
    delay: float
    time_limit: float
    child_args: tuple[Any, ...] = ()
    process: Any = None
    failed: str = ""

    def maybe_start(self, event: Any) -> None:
        """HiGHS callback: start the restricted run once, after `delay` seconds."""
        del event
        if self.process is not None or self.failed or _since(self.start) < self.delay:
            return
        problem, extra, rel_gap, width, exchange = self.child_args
        deadline = time.time() + max(self.time_limit - _since(self.start), 0.0)
        send, receive = exchange == "both", exchange != "none"
        args = (self.link.mirrored(), problem, extra, deadline, rel_gap, width, send, receive)
        try:
            process = self.ctx.Process(target=_restricted_child, args=args, daemon=True)
            process.start()
        except Exception as exc:  # the full model goes on alone
            self.failed = f"could not start the hyperplane run: {exc}"
            return
        self.process = process

    def note(self, full: Solution) -> str:
        """Why the full model's answer stands alone."""
        if self.failed:
            return self.failed
        if self.process is None:
            return f"full model done in {full.seconds:.3g} s, before the hyperplane run began"
        return "full model settled it while the hyperplane run went on"

    def stop(self) -> None:
        """End the restricted run (ours, started above) if it is still going."""
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)


def hyperplanes(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    width: int,
    threads: int | None,
    time_limit: float,
) -> Hyperplanes | None:
    """Walk the LP bound f(k) from the relaxation's own count to its best k*.

    f is concave, so the walk climbs until f drops, and the bounds just outside the
    range bound every k beyond it. None when the relaxation has no optimum.
    """
    lp = _relaxation(problem, extra, threads, time_limit)
    lp.run()
    if not _optimal(lp):
        return None
    lp_value = float(lp.getInfo().objective_function_value)
    count = float(np.sum(lp.getSolution().col_value))
    row = lp.getNumRow() - 1
    cache: dict[int, float] = {}

    def f(k: int) -> float:
        if k not in cache:
            if k < 0 or k > problem.n:
                cache[k] = -np.inf
            else:
                lp.changeRowBounds(row, float(k), float(k))
                lp.run()
                ok = _optimal(lp)
                cache[k] = float(lp.getInfo().objective_function_value) if ok else -np.inf
        return cache[k]

    best = int(np.floor(count))
    if f(best + 1) > f(best):
        best += 1
    step = 1 if best > int(np.floor(count)) else -1
    while f(best + step) > f(best):
        best += step
    lower, upper = max(best - width, 0), min(best + width, problem.n)
    outside = max(f(lower - 1), f(upper + 1))
    return Hyperplanes(lower=lower, upper=upper, outside=outside, lp=lp_value)


def restricted_run(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    time_limit: float,
    rel_gap: float,
    width: int,
    threads: int | None,
    link: Link | None = None,
) -> Restricted:
    """The best portfolio of the model restricted to the best hyperplanes, and a bound.

    With a `link`, portfolios of the full model's run that fall in the range are given to
    HiGHS as they come (and, if the link sends, this run's portfolios go back).
    """
    began = time.perf_counter()
    planes = hyperplanes(problem, extra, width, threads, time_limit)
    if planes is None:
        return Restricted(None, np.inf, "no LP optimum, so no hyperplanes")
    h = _with_count_row(HighsSolver()._model(problem, extra, time_limit, rel_gap, threads))
    h.changeRowBounds(h.getNumRow() - 1, float(planes.lower), float(planes.upper))
    h.setOptionValue("time_limit", max(time_limit - _since(began), 0.0))
    if link is not None:
        link.attach(h, problem, receive=link.receive, count=(planes.lower, planes.upper))
    h.run()
    info = h.getInfo()
    infeasible = h.getModelStatus() in _infeasible_statuses()
    inside = -np.inf if infeasible else float(info.mip_dual_bound)
    bound = min(max(inside, planes.outside), planes.lp)
    selected = None
    if info.primal_solution_status == 2:
        selected = np.asarray(h.getSolution().col_value) > 0.5
    count = f"{planes.lower}..{planes.upper} projects"
    if selected is None:
        return Restricted(None, bound, f"hyperplanes {count}: no portfolio found")
    value = problem.portfolio_value(selected)
    return Restricted(selected, bound, f"hyperplanes {count}: best portfolio {value:.6g}")


def _restricted_child(
    link: Link,
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    deadline: float,
    rel_gap: float,
    width: int,
    send: bool,
    receive: bool,
) -> None:
    """Entry point of the spawned process: one HiGHS thread, until the shared deadline."""
    link = replace(link, send=send, receive=receive)
    try:
        remaining = max(deadline - time.time(), 0.0)
        found: Restricted | str = restricted_run(problem, extra, remaining, rel_gap, width, 1, link)
    except Exception as exc:  # the parent keeps the full model's answer
        found = f"hyperplane run failed: {exc}"
    link.outbox.put(("done", found))
    link.outbox.close()
    link.outbox.join_thread()  # the answer must reach the pipe before this process ends


def _relaxation(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    threads: int | None,
    time_limit: float,
) -> Any:
    h = _with_count_row(HighsSolver()._model(problem, extra, time_limit, 1e-4, threads))
    n = problem.n
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    return h


def _with_count_row(h: Any) -> Any:
    """Add the cardinality row sum x (free until its bounds are set)."""
    n = h.getNumCol()
    h.addRow(-np.inf, np.inf, n, np.arange(n, dtype=np.int32), np.ones(n))
    return h


def _optimal(h: Any) -> bool:
    import highspy

    return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def _infeasible_statuses() -> tuple[Any, ...]:
    import highspy

    ms = highspy.HighsModelStatus
    return (ms.kInfeasible, ms.kUnboundedOrInfeasible)


def _since(start: float) -> float:
    return time.perf_counter() - start
