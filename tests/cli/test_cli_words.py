"""What the CLI prints is words and numbers in one unit, never Python reprs; a mistyped
--db is an error, not a new empty store."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from pfund.cli.app import app
from pfund.domain.enums import VettingCriterion
from pfund.domain.organisation import VettingChecklist, VettingItem
from pfund.services.vetting import judged_gaps, why_not_approved
from tests.cli.conftest import Invoke, as_json

REPR = re.compile(r"<[A-Z]\w*\.[A-Z_]+: |datetime\.(date|datetime)\(|Decimal\('|\{'")


def test_organisation_show_prints_words_not_reprs(demo_db: Invoke) -> None:
    shown = demo_db("organisations", "show", "ORG-0001")
    assert shown.exit_code == 0, shown.output
    assert REPR.search(shown.stdout) is None, shown.stdout
    assert "recognises_ukraine_borders: met, judged on 2026-01-20" in shown.stdout
    company = demo_db("organisations", "show", "ORG-0050")
    assert REPR.search(company.stdout) is None, company.stdout
    assert "Russia status withdrawn" in company.stdout


def test_vetting_says_why_a_group_is_not_approved(demo_db: Invoke) -> None:
    expired = demo_db("organisations", "vet", "ORG-0002", "--on", "2026-12-01")
    assert expired.exit_code == 0, expired.output
    assert "not approved" in expired.stdout
    assert "expired on 2026-10-31" in expired.stdout
    unjudged = demo_db("organisations", "vet", "ORG-0005")
    text = " ".join(unjudged.stdout.split())
    assert "Not judged: opposed_regime_and_aggression" in text
    assert "Not met:" not in text  # never judged is not "not met"
    view = as_json(demo_db("organisations", "vet", "ORG-0005", "--json"))
    assert view["not_met"] == [] and "works_for_democratic_change" in view["not_judged"]


def test_why_not_approved_names_each_reason() -> None:
    day = date(2026, 6, 1)
    items = [
        VettingItem(criterion=c, met=True, checked_on=day - timedelta(days=9))
        for c in VettingCriterion
    ]
    lapsed = VettingChecklist(
        items=items, approved_on=date(2025, 1, 1), valid_until=date(2026, 1, 1)
    )
    assert why_not_approved(lapsed, day) == ["the approval expired on 2026-01-01"]
    partial = VettingChecklist(
        items=[
            VettingItem(
                criterion=VettingCriterion.COUNCIL_OF_EUROPE_VALUES, met=False, checked_on=day
            ),
            VettingItem(criterion=VettingCriterion.REJECTS_NEO_IMPERIALISM, met=None),
        ]
    )
    reasons = why_not_approved(partial, day)
    assert reasons[0] == "never approved"
    assert "'council_of_europe_values' not met (judged on 2026-06-01)" in reasons
    assert "'rejects_neo_imperialism' not judged" in reasons
    not_met, not_judged = judged_gaps(partial)
    assert not_met == ["council_of_europe_values"] and len(not_judged) == 4


def test_project_show_names_proponent_and_partners(demo_db: Invoke) -> None:
    shown = demo_db("projects", "show", "TRN-M11-03")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.split())
    assert "proponent: ORG-0042 Technical University of Munich" in text
    assert "partners: ORG-0050 Kestrel Road Systems GmbH" in text


def test_project_show_gives_a_protected_partner_name_as_its_alias(
    demo_db: Invoke, tmp_path: Path
) -> None:
    orgs = tmp_path / "orgs.json"
    orgs.write_text(
        '[{"id": "ORG-HIDDEN", "name": "Secret Partner Society", "alias": "Partner S",'
        ' "kind": "ngo", "country": "LT", "protected_fields": ["name"]}]',
        encoding="utf-8",
    )
    assert demo_db("import", "organisations", str(orgs)).exit_code == 0
    projects = tmp_path / "p.json"
    projects.write_text(
        '[{"id": "GOV-HIDDEN-1", "title": "A small project", "area": "governance",'
        ' "regions": ["RU-SAM"], "stage": 0, "proponent": "ORG-HIDDEN",'
        ' "costs": {"2027": {"capital": 100000}}}]',
        encoding="utf-8",
    )
    imported = demo_db("import", "projects", str(projects))
    assert imported.exit_code == 0, imported.output
    shown = demo_db("projects", "show", "GOV-HIDDEN-1")
    assert "Partner S" in shown.stdout
    assert "Secret Partner Society" not in shown.stdout


def test_fund_size_takes_percent_in_every_option_and_error(demo_db: Invoke) -> None:
    capped = as_json(demo_db("fund", "size", "--rule", "capped_share", "--cap", "20", "--json"))
    assert max(m["share_of_total"] for m in capped["members"]) <= 0.2 + 1e-9
    for option, value in (("--share", "150"), ("--cap", "0"), ("--defence-share", "-5")):
        bad = demo_db("fund", "size", "--rule", "capped_share", option, value)
        assert bad.exit_code == 1
        assert "percent" in bad.output and option in bad.output
        assert "at most 1," not in bad.output


def test_a_missing_sqlite_file_is_an_error_except_for_commands_that_create(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    missing = tmp_path / "typo.db"
    url = f"sqlite:///{missing}"
    for command in (["projects", "list"], ["audit", "verify"], ["keys", "status"]):
        result = runner.invoke(app, ["--db", url, *command])
        assert result.exit_code == 1, (command, result.output)
        said = " ".join(result.output.split())
        assert str(missing) in said and "`pfund init` or `pfund demo` creates one" in said
        assert not missing.exists()
    created = runner.invoke(app, ["--db", url, "init"])
    assert created.exit_code == 0, created.output
    assert missing.exists()
    assert runner.invoke(app, ["--db", url, "projects", "list"]).exit_code == 0


def test_a_count_of_one_reads_in_the_singular(demo_db: Invoke, tmp_path: Path) -> None:
    """ "Imported 1 organisation", "Watchlist w1: 1 entity": the CLI's counts take the
    singular for one and the plural for two and five, as the pages' do."""
    start = 0
    for n in (1, 2, 5):
        orgs = tmp_path / f"o{n}.csv"
        rows = [f"ORG-CNT-{start + i},Count Org {start + i},ngo,LT,governance" for i in range(n)]
        orgs.write_text("id,name,kind,country,areas\n" + "\n".join(rows) + "\n", encoding="utf-8")
        start += n
        imported = demo_db("import", "organisations", str(orgs))
        assert imported.exit_code == 0, imported.output
        noun = "organisation" if n == 1 else "organisations"
        assert f"Imported {n} {noun} from o{n}.csv." in " ".join(imported.stdout.split())
        people = [
            {"id": f"cnt-{n}-{i}", "schema": "Person", "properties": {"name": [f"Nemo N{n}x{i}"]}}
            for i in range(n)
        ]
        watchlist = tmp_path / f"w{n}.ftm.json"
        watchlist.write_text("\n".join(json.dumps(p) for p in people), encoding="utf-8")
        loaded = demo_db("screen", "load", str(watchlist))
        assert loaded.exit_code == 0, loaded.output
        noun = "entity" if n == 1 else "entities"
        assert f"Watchlist w{n}: {n} {noun} ({n} added," in " ".join(loaded.stdout.split())


def test_projects_list_counts_one_project_in_the_singular(demo_db: Invoke) -> None:
    """``pfund projects list`` ends with its count: "1 project." for a region with one."""
    listed = as_json(demo_db("projects", "list", "--json"))
    by_region: dict[str, int] = {}
    for project in listed:
        for region in project.get("regions", []):  # a protected field may be left out
            by_region[region] = by_region.get(region, 0) + 1
    one = next(region for region, count in sorted(by_region.items()) if count == 1)
    several = max(by_region, key=lambda region: by_region[region])
    shown = demo_db("projects", "list", "--region", one)
    assert shown.exit_code == 0 and shown.stdout.rstrip().endswith("\n1 project.")
    shown = demo_db("projects", "list", "--region", several)
    assert shown.stdout.rstrip().endswith(f"\n{by_region[several]} projects.")
