"""``dabgen generate job … --ask``: generate, then the real agent refines, validator decides."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from dabgen_ci.cli import cli
from tests.agent.conftest import DEMO, JOB_FILE
from tests.servers.anthropic_server import text, tool_use, turn


def test_generate_with_ask_applies_a_valid_refinement(tmp_path: Path, scripted_api, agent_env):
    out = tmp_path / "bundle"
    job = out / JOB_FILE
    api = scripted_api([
        turn(tool_use("Edit", {"file_path": str(job), "old_string": "max_concurrent_runs: 1\n",
                               "new_string": "max_concurrent_runs: 3\n"})),
        turn(text("Raised max_concurrent_runs to 3.")),
    ])
    result = CliRunner().invoke(cli, [
        "generate", "job", "1001", "--out", str(out), "--workspace-snapshot", str(DEMO),
        "--ask", "allow three concurrent runs", "--json", "--zip", str(tmp_path / "b.zip"),
    ], env=agent_env(api), catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["refine"]["status"] == "applied"
    assert report["refine"]["changes"] == [{"path": JOB_FILE, "kind": "modified"}]
    settings = yaml.safe_load(job.read_text())["resources"]["jobs"]["nightly_sales_etl"]
    assert settings["max_concurrent_runs"] == 3
    assert "<request>\nallow three concurrent runs" in api.main_requests[0].last_user_text()


def test_generate_with_ask_and_no_key_fails_before_any_work(tmp_path: Path):
    out = tmp_path / "bundle"
    result = CliRunner().invoke(cli, [
        "generate", "job", "1001", "--out", str(out), "--workspace-snapshot", str(DEMO),
        "--ask", "anything",
    ], env={"ANTHROPIC_API_KEY": ""})
    assert result.exit_code == 2
    assert "ANTHROPIC_API_KEY" in result.stderr
    assert not out.exists()
