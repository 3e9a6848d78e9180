"""A verification whose sample holds units recounted 0 (reported, not found at all):
the stored result says how many, the share of the reported total they stand for and its
exact upper bound, and the verifier's page shows it in English and Russian."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pfund.services.runtime import Runtime
from pfund.services.verification import draw_sample, record_findings
from tests.api.conftest import sign_in
from tests.services.test_verification import _report_with_units, _tranche


def test_units_recounted_zero_are_counted_bounded_and_shown(
    client: TestClient, app_rt: Runtime, tmp_path: Path
) -> None:
    _, project, code, period = _tranche(app_rt)
    report = _report_with_units(app_rt, tmp_path, project, code, period)  # 40 units of 2
    sample = draw_sample(app_rt, report, code, confidence=0.9, precision=0.1, seed=7)
    n = len(sample.units)
    found = dict.fromkeys(sample.units, 1.8) | dict.fromkeys(sample.units[:2], 0.0)
    result = record_findings(app_rt, sample.verification, found)
    # every unit reports 2, so the invented share is 2 of n (strata sampled in proportion)
    # and the rest recount 0.9 of their report: factor (1 - 2/n) x 0.9
    assert result.invented_units == 2
    assert result.invented_share == pytest.approx(2 / n)
    assert result.factor == pytest.approx((1 - 2 / n) * 0.9)
    assert result.invented_upper is not None and result.invented_upper > 2 / n
    assert result.lower is not None and result.factor is not None
    assert result.lower < result.factor
    sign_in(client, "ada")
    page = client.get(f"/staff/verification/{sample.verification}?lang=en").text
    assert "Not found at all" in page and "sampled units recounted 0" in page
    russian = client.get(f"/staff/verification/{sample.verification}?lang=ru").text
    assert "Не найдено вовсе" in russian and "объектов выборки с пересчётом 0" in russian
