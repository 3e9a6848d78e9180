"""The verification factor, its interval, and lot-quality acceptance (the interval's
coverage over 1,000 simulated audits: test_verification_coverage.py, vectorised)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from pfund.errors import InvalidInput
from pfund.results.sampling import Unit, draw
from pfund.results.verification import (
    combined_ratio,
    lqas_decide,
    lqas_on_findings,
    lqas_plan,
    lqas_rule,
    unit_fails,
    verification_factor,
)


def population(count: int = 40) -> list[Unit]:
    return [Unit(id=f"u{i:02d}", stratum="", reported=float(10 + i)) for i in range(count)]


def test_factor_and_interval_match_a_hand_computation() -> None:
    # Four of eight units (N = 8, reported 10..17, X = 108) drawn; recounts by hand:
    units = [Unit(id=f"u{i}", reported=float(10 + i)) for i in range(8)]
    sample = draw(units, 4, seed=11)
    assert sample.unit_ids == ("u0", "u3", "u6", "u7")  # reported 10, 13, 16, 17
    x = {u.id: u.reported for u in units}
    found = dict(zip(sample.unit_ids, (9.0, 12.0, 11.0, 14.0), strict=True))
    result = verification_factor(units, sample, found)
    xs = np.array([x[i] for i in sample.unit_ids])
    ys = np.array([found[i] for i in sample.unit_ids])
    r = ys.sum() / xs.sum()  # 46 / 56
    d = ys - r * xs
    s2 = d.var(ddof=1)
    # Cochran eq. 6.50 with one stratum, Xhat = N xbar: V = N^2 (1 - n/N) s_d^2 / n / Xhat^2
    se = np.sqrt(8**2 * (1 - 4 / 8) * s2 / 4) / (8 * xs.mean())
    assert result.factor == pytest.approx(r) and r == pytest.approx(0.8214285714)
    assert result.se == pytest.approx(se)
    t3 = 3.182446305284263  # Student t, 3 df, 97.5%
    # No unit recounted 0: the invented share is 0, but not shown to be 0. Kish's
    # effective size, weights N/n = 2, fpc 1/2: (2 x 56)^2 / (0.5 x 2^2 x 814) = 7.705;
    # Clopper-Pearson upper bound for 0 of 7.705: 1 - 0.025^(1 / 7.705) = 0.3804.
    n_star = (2 * 56) ** 2 / (0.5 * 4 * (100 + 169 + 256 + 289))
    w_hi = 1 - 0.025 ** (1 / n_star)
    assert (n_star, w_hi) == pytest.approx((7.7052, 0.38045), abs=1e-4)
    assert (result.invented_share, result.invented_upper) == pytest.approx((0, w_hi))
    # MOVER on the log scale: the upper side has nothing from the invented share (its
    # lower bound is 0), so it is the ratio's; the lower side adds both distances.
    upper = r + t3 * se
    lower = np.exp(np.log(r) - np.hypot(np.log(1 - w_hi), np.log(r) - np.log(r - t3 * se)))
    assert result.upper == pytest.approx(upper) and upper == pytest.approx(0.94381, abs=1e-5)
    assert result.lower == pytest.approx(lower) and lower == pytest.approx(0.49563, abs=1e-5)
    assert result.verified_total == pytest.approx(r * 108)
    assert result.verified_lower == pytest.approx(lower * 108)


def test_a_census_has_no_sampling_error() -> None:
    units = population(10)
    sample = draw(units, 10, seed=1)
    found = {u.id: u.reported * 0.8 + (1 if i % 2 else -1) for i, u in enumerate(units)}
    result = verification_factor(units, sample, found)
    assert result.se == 0.0
    assert result.lower == result.upper == pytest.approx(result.factor)


def test_findings_for_a_unit_outside_the_draw_are_refused_before_computing() -> None:
    units = population()
    sample = draw(units, 10, seed=2)
    outsider = next(u.id for u in units if u.id not in sample.unit_ids)
    found = dict.fromkeys(sample.unit_ids, 1.0) | {outsider: 1.0}
    with pytest.raises(InvalidInput, match="do not match") as caught:
        verification_factor(units, sample, found)
    assert outsider in str(caught.value)


def test_a_negative_recount_is_refused_naming_the_unit() -> None:
    units = population()
    sample = draw(units, 10, seed=2)
    found = dict.fromkeys(sample.unit_ids, 1.0) | {sample.unit_ids[0]: -3.0}
    with pytest.raises(InvalidInput) as caught:
        verification_factor(units, sample, found)
    assert sample.unit_ids[0] in str(caught.value)


def test_a_stratum_with_one_of_several_units_drawn_is_refused() -> None:
    units = [Unit(id=f"u{i}", stratum="AB"[i % 2], reported=5.0) for i in range(20)]
    sample = draw(units, 2, seed=1, minimum_per_stratum=1)
    with pytest.raises(InvalidInput, match="one sampled unit"):
        verification_factor(units, sample, dict.fromkeys(sample.unit_ids, 5.0))


def _interval_widths(*, fpc: bool) -> np.ndarray:
    rng = np.random.default_rng(4)
    x = rng.gamma(2.0, 50.0, 240)
    y = x * rng.beta(18, 2, 240)
    result = combined_ratio(
        report=np.repeat(np.arange(4), 60),
        stratum=np.repeat(np.arange(4), 60),
        reported=x,
        recounted=y,
        stratum_population=np.full(4, 150),
        stratum_report=np.arange(4),
        reports=4,
        fpc=fpc,
    )
    return np.asarray(result.upper - result.lower)


def test_the_finite_population_correction_narrows_the_interval_by_its_exact_factor() -> None:
    """60 of 150 units drawn: the correction multiplies the variance by 1 - 60/150."""
    ratio = _interval_widths(fpc=True) / _interval_widths(fpc=False)
    assert ratio == pytest.approx(np.full(4, np.sqrt(1 - 60 / 150)), rel=1e-12)


def test_a_unit_fails_when_the_recount_differs_by_more_than_the_tolerance() -> None:
    assert not unit_fails(100, 90, tolerance=0.10)
    assert unit_fails(100, 89.9, tolerance=0.10)
    assert unit_fails(100, 111, tolerance=0.10)
    assert unit_fails(0, 1)


def test_lqas_plan_meets_both_risks_and_is_the_smallest() -> None:
    plan = lqas_plan(p_good=0.05, p_bad=0.20, alpha=0.05, beta=0.10)
    # checked by the binomial directly
    assert binom.sf(plan.d, plan.n, 0.05) <= 0.05
    assert binom.cdf(plan.d, plan.n, 0.20) <= 0.10
    assert (plan.n, plan.d) == (38, 4)
    for n in range(1, plan.n):
        fits = [
            d
            for d in range(n + 1)
            if binom.sf(d, n, 0.05) <= 0.05 and binom.cdf(d, n, 0.20) <= 0.10
        ]
        assert not fits, (n, fits)


def test_lqas_accepts_at_most_d_failures() -> None:
    plan = lqas_plan(p_good=0.05, p_bad=0.20)
    assert lqas_decide(plan.d, plan).accepted
    assert not lqas_decide(plan.d + 1, plan).accepted
    with pytest.raises(ValueError, match="failures"):
        lqas_decide(plan.n + 1, plan)


def test_lqas_plan_refuses_thresholds_in_the_wrong_order() -> None:
    with pytest.raises(ValueError, match="p_good < p_bad"):
        lqas_plan(p_good=0.3, p_bad=0.2)


def test_strata_sampled_at_different_rates_are_weighted_by_their_size() -> None:
    units = [Unit(id=f"a{i}", stratum="A", reported=10.0) for i in range(10)]
    units += [Unit(id=f"b{i}", stratum="B", reported=40.0) for i in range(4)]
    sample = draw(units, 4, seed=3)  # 2 of 10 in A (the minimum), 2 of 4 in B
    assert [s.sample for s in sample.record.strata] == [2, 2]
    found = {i: (5.0 if i.startswith("a") else 40.0) for i in sample.unit_ids}
    result = verification_factor(units, sample, found)
    # combined: (10 x 5 + 4 x 40) / (10 x 10 + 4 x 40) = 210 / 260, not (10 + 80) / 100
    assert result.factor == pytest.approx(210 / 260)
    assert result.verified_total == pytest.approx(210)


def test_lqas_on_findings_counts_the_units_off_by_more_than_the_tolerance() -> None:
    plan = lqas_plan(p_good=0.05, p_bad=0.20)
    units = population(100)
    sample = draw(units, plan.n, seed=8)
    by_id = {u.id: u.reported for u in units}
    ids = list(sample.unit_ids)
    found = {i: by_id[i] * (0.5 if k < plan.d else 1.0) for k, i in enumerate(ids)}
    assert lqas_on_findings(units, sample, found, plan).accepted
    found[ids[-1]] = 0.0
    decision = lqas_on_findings(units, sample, found, plan)
    assert not decision.accepted and decision.failures == plan.d + 1
    with pytest.raises(InvalidInput, match="plan's size"):
        lqas_on_findings(units, draw(units, plan.n + 1, seed=8), found, plan)


def test_a_sample_that_reports_nothing_is_refused_rather_than_divided_by_zero() -> None:
    units = [Unit(id=f"u{i}", reported=0.0) for i in range(5)]
    sample = draw(units, 3, seed=1)
    with pytest.raises(InvalidInput, match="reports zero"):
        verification_factor(units, sample, dict.fromkeys(sample.unit_ids, 1.0))


def test_lqas_rule_for_a_drawn_sample_keeps_the_risk_of_accepting_a_bad_report() -> None:
    # n = 26, bad = 20 % failing: P(X <= 2) = 0.084 <= 0.10 < P(X <= 3) = 0.207, so d = 2
    rule = lqas_rule(26, p_good=0.05, p_bad=0.20, beta=0.10)
    assert (rule.n, rule.d) == (26, 2)
    assert rule.beta == pytest.approx(0.0841, abs=1e-4)
    assert rule.alpha == pytest.approx(1 - binom.cdf(2, 26, 0.05))
    # n = 10: even no failure is seen in a bad report 0.8^10 = 10.7 % of the time > 10 %
    assert lqas_rule(10, p_good=0.05, p_bad=0.20, beta=0.10).d == -1
    with pytest.raises(ValueError, match="at least one unit"):
        lqas_rule(0, p_good=0.05, p_bad=0.20)
