"""The round-trip pairs jobs with resources by id (the ``# dabgen: job <id>`` header), never
by name or order; an unnamed job gets the key ``job_<id>`` and nothing is refused after
the bundle was written. Through the live workspace server and the real CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.cli_support import live_env, run, run_json
from tests.servers.workspace_server import WorkspaceServer

NOTEBOOK = "/Workspace/Users/data-eng@acme.com/sales/01_ingest_orders"


def _job(job_id: int, name: str | None, cluster: str) -> dict:
    settings: dict = {"tasks": [{"task_key": f"t{job_id}", "existing_cluster_id": cluster,
                                 "notebook_task": {"notebook_path": NOTEBOOK}}]}
    if name is not None:
        settings["name"] = name
    return {"job_id": job_id, "settings": settings}


@pytest.fixture
def twins(demo_snapshot: Path) -> Path:
    """Jobs 1 and 2 share a name and differ in every other setting; job 3 has no name."""
    for job in (_job(1, "Same", "c-one"), _job(2, "Same", "c-two"), _job(3, None, "c-3")):
        (demo_snapshot / "jobs" / f"{job['job_id']}.json").write_text(json.dumps(job))
    return demo_snapshot


@pytest.mark.parametrize("order", [["2", "1"], ["1", "2"]])
def test_same_name_jobs_round_trip_clean_in_any_order(twins: Path, tmp_path: Path,
                                                      order: list[str]) -> None:
    with WorkspaceServer(twins) as server:
        code, report = run_json(["generate", "job", *order, "--out", str(tmp_path / "b"),
                                 "--no-cli"], live_env(server))
    assert code == 0, report
    assert report["roundtrip_differences"] == []
    assert {j["job_id"]: j["key"] for j in report["jobs"]} == {1: "same", 2: "same_2"}


def test_order_of_ids_gives_the_same_bytes(twins: Path, tmp_path: Path) -> None:
    outputs = []
    for order in (["2", "1"], ["1", "2"]):
        out = tmp_path / "-".join(order) / "bundle"
        done = run(["generate", "job", *order, "--out", str(out), "--no-cli",
                    "--workspace-snapshot", str(twins)])
        assert done.exit_code == 0, done.output
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes()
                        for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


def test_roundtrip_command_follows_the_header_not_the_file_or_key(twins: Path,
                                                                  tmp_path: Path) -> None:
    """Swap the two resource files' keys and names: the headers still say which is which."""
    out = tmp_path / "b"
    assert run(["generate", "job", "1", "2", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(twins)]).exit_code == 0
    one, two = out / "resources/same.job.yml", out / "resources/same_2.job.yml"
    text_one, text_two = one.read_text(), two.read_text()
    one.write_text(text_two.replace("same_2:", "renamed_a:"))
    two.write_text(text_one.replace("same:", "renamed_b:"))
    with WorkspaceServer(twins) as server:
        done = run(["roundtrip", str(out), "--job", "2", "--job", "1", "--json"],
                   live_env(server))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"ok": True, "differences": []}


def test_a_real_difference_is_reported_against_the_right_job(twins: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert run(["generate", "job", "1", "2", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(twins)]).exit_code == 0
    job = _job(2, "Same", "c-changed")
    (twins / "jobs/2.json").write_text(json.dumps(job))
    code, report = run_json(["roundtrip", str(out), "--job", "1", "--job", "2",
                             "--workspace-snapshot", str(twins)])
    assert code == 1
    [difference] = report["differences"]
    assert "job 2 at tasks[0].existing_cluster_id" in difference["summary"]
    assert difference["file"] == "resources/same_2.job.yml"


def test_unnamed_job_gets_a_key_from_its_id(twins: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    with WorkspaceServer(twins) as server:
        code, report = run_json(["generate", "job", "3", "--out", str(out), "--no-cli"],
                                live_env(server))
    assert code == 0, report
    assert report["jobs"] == [{"key": "job_3", "job_id": 3, "name": "job 3"}]
    assert report["bundle_name"] == "job_3"
    assert report["roundtrip_differences"] == []
    assert (out / "resources/job_3.job.yml").read_text().startswith("# dabgen: job 3\n")


def test_a_bundle_without_headers_and_twin_names_is_refused_clearly(twins: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "b"
    assert run(["generate", "job", "1", "2", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(twins)]).exit_code == 0
    for file in (out / "resources").iterdir():
        lines = file.read_text().splitlines(keepends=True)
        file.write_text("".join(ln for ln in lines if not ln.startswith("#"))
                        .replace("same_2:", "other:").replace("same:", "first:"))
    done = run(["roundtrip", str(out), "--job", "1", "--workspace-snapshot", str(twins)])
    assert done.exit_code == 2
    assert "has no resource of its own" in done.stderr
