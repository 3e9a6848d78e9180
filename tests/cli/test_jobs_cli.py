"""``pfund ... --queue``, ``pfund jobs`` and ``pfund worker --once`` in process."""

from __future__ import annotations

from pathlib import Path

from pfund.cli import job_cmds
from pfund.domain.jobs import Job
from tests.cli.conftest import Invoke, as_json


def test_queued_work_waits_for_a_worker_then_shows_its_record(demo_db: Invoke) -> None:
    job = as_json(demo_db("appraise", "--queue", "--json"))
    assert job["state"] == "queued" and job["kind"] == "appraisal"
    listed = as_json(demo_db("jobs", "list", "--state", "queued", "--json"))
    assert [j["id"] for j in listed] == [job["id"]]
    ran = demo_db("worker", "--once")
    assert ran.exit_code == 0, ran.output
    assert "after 1 job." in " ".join(ran.output.split())
    done = as_json(demo_db("jobs", "show", job["id"], "--json"))
    assert done["state"] == "done" and done["result"].startswith("APR-")
    ended = demo_db("jobs", "cancel", job["id"])
    assert ended.exit_code == 1
    assert "already ended" in ended.output


def test_a_queued_job_is_cancelled_and_file_options_are_refused_with_queue(
    demo_db: Invoke,
) -> None:
    queued = ["--queue", "--time-limit", "5", "--optimism-bias", "off", "--json"]
    job = as_json(demo_db("portfolio", "optimize", *queued))
    assert job["parameters"] == {"optimism_bias": "off", "solver": None, "time_limit": 5.0}
    assert as_json(demo_db("jobs", "cancel", job["id"], "--json"))["state"] == "cancelled"
    refused = demo_db("appraise", "--queue", "--policy", "policy.yaml")
    assert refused.exit_code != 0
    assert as_json(demo_db("jobs", "list", "--state", "queued", "--json")) == []
    unknown = demo_db("jobs", "start", "teleport")
    assert unknown.exit_code == 1
    assert "appraisal" in unknown.output


def test_an_import_and_a_report_are_queued_from_the_cli_and_the_import_runs_once(
    demo_db: Invoke, tmp_path: Path
) -> None:
    file = tmp_path / "more.csv"
    file.write_text(
        "id,title,area,regions,currency,stage,depends_on,excludes,cost.2028.capital,"
        "cost.2029.running,benefit.gain.per_year,benefit.gain.from,benefit.gain.years\n"
        "MORE-1,Clinic upgrade in Samara,health,RU-SAM,USD,1,,,100;120;150,10,30;40;50,2030,10\n"
    )
    job = as_json(demo_db("import", "projects", str(file), "--queue", "--json"))
    assert (job["kind"], job["parameters"]["kind"]) == ("import", "projects")
    ran = demo_db("worker", "--once")
    assert ran.exit_code == 0, ran.output
    done = as_json(demo_db("jobs", "show", job["id"], "--json"))
    assert (done["state"], done["result"]) == ("done", "1 projects")  # the page words it
    assert demo_db("jobs", "list").exit_code == 0
    assert job_cmds._result(Job.model_validate(done)) == "1 project"  # its cell in the list
    report = as_json(demo_db("report", "--queue", "--lang", "ru", "--json"))
    assert report["kind"] == "report" and report["parameters"]["lang"] == "ru"
    refused = demo_db("report", str(tmp_path / "out"), "--queue")
    assert refused.exit_code != 0
    missing = demo_db("import", "projects", str(tmp_path / "none.csv"), "--queue")
    assert missing.exit_code != 0 and "no such file" in " ".join(missing.output.split())
    assert as_json(demo_db("jobs", "files", job["id"], "--json"))["files"] == []
