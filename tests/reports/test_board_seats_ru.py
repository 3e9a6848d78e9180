"""lang18b: the board report's committee section names each seat as its reader does:
the Russian file by the seats' Russian labels (Донор — Германия, Российское место 1),
the English file by their labels, as votes were cast."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pfund.reports.board import build_report, write_report
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.demo_committee import run_committee_sample
from pfund.services.runtime import open_runtime
from tests.api.conftest import settings_for


def _votes(page: str) -> str:
    """The committee section's vote lines, as the reader sees them."""
    found = re.findall(r"<h3>[^<]*</h3>\s*<p>(.*?)</p>", page, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", p) for p in found)


def test_the_board_report_names_the_seats_in_its_language(
    demo_template: Path, tmp_path: Path
) -> None:
    shutil.copy(demo_template, tmp_path / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{tmp_path / 'pfund.db'}"))
    try:
        assert run_committee_sample(rt, "OPT-0001") is not None
        pa = appraise_pipeline(load_inputs(rt))
        report = build_report(rt, pa, run_id="OPT-0001", robust_draws=3, robust_weights=3)
    finally:
        rt.close()
    assert report.committee, "the sample's portfolio decision is on the run"
    write_report(report, tmp_path / "report")
    en = (tmp_path / "report" / "index.html").read_text("utf-8")
    ru = (tmp_path / "report" / "index.ru.html").read_text("utf-8")
    for seat in ("Российское место 1", "Донор — Германия"):
        assert f"{seat}: " in ru, _votes(ru)
    assert "Russian seat 1" not in ru and "Donor DEU" not in ru
    assert "Russian seat 1: for" in en and "Donor DEU: " in en
    assert "Российское место" not in en and "Донор —" not in en
