"""The cardinality-hyperplane strategy: exact on small cases, valid bounds, honest status."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from pfund.portfolio import PortfolioProblem, Status
from pfund.portfolio.solvers import HighsSolver, HyperplaneHighsSolver
from pfund.portfolio.solvers.hyper import Link, Race, Restricted, hyperplanes, restricted_run
from tests.portfolio.cases import brute_force, feasible, knapsack, random_problem


def best_by_count(p: PortfolioProblem) -> dict[int, float]:
    """Brute force: the best valid portfolio value for each number of projects."""
    best: dict[int, float] = {}
    for bits in itertools.product((False, True), repeat=p.n):
        x = np.array(bits)
        if feasible(p, x):
            k = int(x.sum())
            best[k] = max(best.get(k, -np.inf), p.portfolio_value(x))
    return best


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("seed", range(0, 14, 2))
def test_hyperplane_solver_finds_the_brute_force_optimum(parallel: bool, seed: int) -> None:
    problem = random_problem(seed)
    best = brute_force(problem)
    sol = HyperplaneHighsSolver(parallel=parallel).solve(problem, time_limit=10, threads=2)
    if best is None:
        assert sol.status is Status.INFEASIBLE
        return
    assert sol.status is Status.OPTIMAL
    assert feasible(problem, sol.selected)
    assert sol.objective == pytest.approx(best)
    assert sol.bound >= best - 1e-6


@pytest.mark.parametrize("seed", range(14))
def test_hyperplanes_bound_every_count_outside_their_range(seed: int) -> None:
    """The LP walk's `outside` bound is a proof: no k outside the range beats it."""
    problem = random_problem(seed, n=11)
    by_count = best_by_count(problem)
    planes = hyperplanes(problem, None, width=0, threads=1, time_limit=5)
    if planes is None:
        assert not by_count
        return
    assert 0 <= planes.lower <= planes.upper <= problem.n
    for k, value in by_count.items():
        assert value <= planes.lp + 1e-6
        if not planes.lower <= k <= planes.upper:
            assert value <= planes.outside + 1e-6


@pytest.mark.parametrize("seed", range(14))
def test_restricted_run_portfolio_is_valid_and_its_bound_covers_the_optimum(seed: int) -> None:
    """Restricted to one hyperplane, the portfolio obeys every rule and the bound holds."""
    problem = random_problem(seed, n=11)
    best = brute_force(problem)
    found = restricted_run(problem, None, 5, 1e-4, 0, 1)
    if found.selected is not None:
        assert feasible(problem, found.selected)
    if best is not None:
        assert found.bound >= best - 1e-6


def test_restricted_run_keeps_extra_rows() -> None:
    from pfund.portfolio import LinearConstraint

    problem = knapsack([10, 6, 5], [5, 3, 3], 6)
    row = LinearConstraint(np.array([1.0, 0.0, 0.0]), lower=1.0)
    found = restricted_run(problem, [row], 5, 1e-4, 1, 1)
    assert found.selected is not None
    assert found.selected.tolist() == [True, False, False]
    sol = HyperplaneHighsSolver().solve(problem, time_limit=5, threads=2, extra=[row])
    assert sol.selected.tolist() == [True, False, False]


@pytest.mark.parametrize("seed", range(4))
def test_hyperplane_solver_agrees_with_plain_highs_on_larger_pipelines(seed: int) -> None:
    """Every rule switched on (shares, caps, links, stages), too large for brute force."""
    problem = random_problem(100 + seed, n=40)
    plain = HighsSolver().solve(problem, time_limit=20, threads=2)
    hyper = HyperplaneHighsSolver().solve(problem, time_limit=20, threads=2)
    assert hyper.status is plain.status
    if plain.status is Status.OPTIMAL:
        assert feasible(problem, hyper.selected)
        assert hyper.objective == pytest.approx(plain.objective, rel=2e-4)


def knapsack_of(n: int) -> PortfolioProblem:
    """An n-item knapsack with 5 budgets, each half the items' total cost in its period."""
    rng = np.random.default_rng(5)
    weights = rng.integers(1, 1000, size=(n, 5)).astype(float)
    return PortfolioProblem(
        ids=tuple(f"p{i}" for i in range(n)),
        value=weights.sum(axis=1) / 5 + rng.integers(1, 300, size=n),
        cost=weights,
        periods=tuple(range(5)),
        budget=weights.sum(axis=0) / 2,
    )


@pytest.fixture(scope="module")
def hard_knapsack() -> tuple[PortfolioProblem, float]:
    """A 60-item, 5-budget knapsack HiGHS needs seconds to prove, and its optimum."""
    problem = knapsack_of(60)
    # HiGHS proves it in about 4 s of CPU; the limit is only there for a machine so busy
    # that those seconds take minutes (60 s of wall clock once ran out under load).
    exact = HighsSolver().solve(problem, time_limit=600, threads=2)
    assert exact.status is Status.OPTIMAL
    return problem, exact.objective  # within 0.01% of the optimum, so below any bound


@pytest.mark.parametrize("time_limit", [0.2, 2.0])
@pytest.mark.parametrize("parallel", [True, False])
def test_stopped_run_reports_an_honest_gap(
    hard_knapsack: tuple[PortfolioProblem, float], parallel: bool, time_limit: float
) -> None:
    """Stopped early: a valid portfolio, a true bound, and the gap it implies."""
    problem, optimum = hard_knapsack
    solver = HyperplaneHighsSolver(parallel=parallel)
    sol = solver.solve(problem, time_limit=time_limit, threads=2)
    assert sol.has_portfolio
    assert feasible(problem, sol.selected)
    assert sol.bound >= optimum - 1e-6
    if sol.status is Status.OPTIMAL:
        assert sol.objective == pytest.approx(optimum, rel=1e-4)
    else:
        assert sol.gap == pytest.approx((sol.bound - sol.objective) / abs(sol.bound))


# How long the race test waits for the spawned process (its time limit too): far more
# than it needs (its range is proven in about half a second of one core), so a machine
# slow to start a Python process cannot make the test fail; only a process that never
# answers can.
PATIENCE = 300.0


def test_race_runs_the_hyperplane_process_and_uses_its_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The spawned restricted run answers through the link, and the race uses its answer.

    Left alone, the full model (which proves this knapsack in under a second) would often
    settle it first, and under load the process may start after a short limit has gone.
    So, in this process only (the spawned one runs the shipped code): once the race has
    started the process, the full model's callback waits for its answer and the full
    model is then interrupted, unproven. The answer must reach the result.
    """
    problem = knapsack_of(40)
    seen: dict[str, Restricted | None] = {}
    start, attach = Race.maybe_start, Link.attach

    def start_then_wait(race: Race, event: Any) -> None:
        start(race, event)
        if race.process is not None and "answer" not in seen:
            seen["answer"] = race.link.result(PATIENCE)
            race.link.latest["done"] = seen["answer"]

    def attach_and_stop_once_answered(link: Link, h: Any, *args: Any, **kwargs: Any) -> None:
        attach(link, h, *args, **kwargs)
        h.cbMipInterrupt.subscribe(lambda event: event.interrupt() if seen else None)

    monkeypatch.setattr(Race, "maybe_start", start_then_wait)
    monkeypatch.setattr(Link, "attach", attach_and_stop_once_answered)
    sol = HyperplaneHighsSolver().solve(problem, time_limit=PATIENCE, threads=2)
    answer = seen.get("answer")
    assert answer is not None, "the hyperplane process gave no answer"
    assert answer.note.startswith("hyperplanes "), answer.note
    assert answer.selected is not None
    assert answer.note in sol.notes, sol.notes
    assert feasible(problem, sol.selected)
    assert sol.objective >= problem.portfolio_value(answer.selected) - 1e-9
    assert sol.bound <= answer.bound + 1e-9


def test_link_offers_only_better_portfolios_inside_the_range_and_keeps_the_result() -> None:
    """Messages between the two runs: out-of-range portfolios are never offered to HiGHS."""
    import queue

    inbox: queue.Queue[tuple[object, ...]] = queue.Queue()
    link = Link(outbox=queue.Queue(), inbox=inbox)
    in_range = np.array([True, True, False, False, False])
    too_many = np.array([True, True, True, True, False])
    inbox.put(("sol", 5.0, np.packbits(in_range)))
    inbox.put(("sol", 9.0, np.packbits(too_many)))
    answer = Restricted(in_range, 12.0, "note")
    inbox.put(("done", answer))
    best = link._drain(5, (1, 2))
    assert best is not None
    assert best[0] == 5.0
    assert best[1].tolist() == in_range.tolist()
    assert link.result(0.0) is answer
