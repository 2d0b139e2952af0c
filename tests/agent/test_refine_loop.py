"""The refinement loop end to end: the real claude CLI, our MCP server, a scripted model.

(1) The agent calls ``mcp__dabgen__validate_bundle``, edits the job so that it no longer
validates, gets the validator's findings in the same conversation and fixes them. (2) An
agent that never fixes its mistake gets ``max_rounds`` rounds, then the bundle is restored
byte for byte.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import yaml

from dabgen_ci.agent.files import FileChange
from dabgen_ci.config import AgentConfig
from dabgen_ci.flows.refine import AgentRefiner, refine_bundle
from dabgen_ci.validate import validate_bundle
from tests.agent.conftest import JOB_FILE, tree
from tests.servers.anthropic_server import text, tool_use, turn

REQUEST = "Add a task publish_report that runs the daily aggregate SQL after the quality checks."
TAIL = "              table: main.sales.daily_orders\n          job_cluster_key: etl_cluster\n"
NEW_TASK = """\
        - task_key: publish_report
          depends_on:
            - task_key: quality_check
          notebook_task:
            notebook_path: ../src/sales/03_aggregate_daily.sql
            source: WORKSPACE
            warehouse_id: ${var.warehouse_id}
"""
VALIDATE = "mcp__dabgen__validate_bundle"


def _script(job: Path) -> list:
    return [
        turn(text("Let me check the bundle first."), tool_use(VALIDATE, {})),
        turn(tool_use("Read", {"file_path": str(job)})),
        turn(tool_use("Edit", {"file_path": str(job), "old_string": TAIL,
                               "new_string": TAIL + NEW_TASK})),
        turn(text("Added publish_report after the quality checks.")),
        # round 2: the validator's findings arrive; the agent fixes the typo and re-checks
        turn(tool_use("Edit", {"file_path": str(job),
                               "old_string": "- task_key: quality_check\n",
                               "new_string": "- task_key: quality_checks\n"})),
        turn(tool_use(VALIDATE, {})),
        turn(text("Added task publish_report (runs src/sales/03_aggregate_daily.sql on the "
                  "job's warehouse) after quality_checks in resources/nightly_sales_etl.job.yml.")),
    ]


def _mcp_json(block: dict) -> dict:
    assert not block.get("is_error"), block
    content = block["content"]
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content)
    return json.loads(content)


def test_agent_breaks_validation_then_fixes_it(bundle, scripted_api, agent_env, settings):
    job = bundle / JOB_FILE
    api = scripted_api(_script(job))
    result = refine_bundle(bundle, REQUEST, config=AgentConfig(max_rounds=3),
                           env=agent_env(api), settings=settings)

    assert result.status == "applied", result.message
    assert result.ok and result.rounds == 2
    assert result.changes == (FileChange(JOB_FILE, "modified"),)
    assert "+        - task_key: publish_report" in result.diff
    assert "publish_report" in result.summary
    assert validate_bundle(bundle, run_cli=False).ok
    tasks = yaml.safe_load(job.read_text())["resources"]["jobs"]["nightly_sales_etl"]["tasks"]
    assert tasks[-1]["task_key"] == "publish_report"
    assert tasks[-1]["depends_on"] == [{"task_key": "quality_checks"}]
    # every scripted turn was used, no more: 4 requests in round 1, 3 in round 2
    assert api.turns_served == 7 and api.exhausted == 0
    # tokens summed over both rounds, cost as the CLI computed it
    assert result.usage.input_tokens == 7 * 1200
    assert result.usage.output_tokens == 7 * 80
    assert result.usage.cost_usd > 0

    first = api.main_requests[0]
    assert "<request>\n" + REQUEST in first.last_user_text()
    assert "# Databricks Asset Bundles" in json.dumps(first.body["system"])  # CLAUDE.md
    assert VALIDATE in first.tool_names()
    assert not {"Bash", "WebFetch", "mcp__dabgen__run_job"} & set(first.tool_names())

    # the MCP tool really ran against the bundle (our server, not a stub)
    for index in (1, 6):  # the call before the edit, and the re-check after the fix
        found = _mcp_json(api.main_requests[index].tool_results()[0])
        assert found["ok"] is True and found["validators_run"] == ["schema", "rules"]

    # round 2 starts with the validator's findings, in the same conversation
    round2 = api.main_requests[4]
    feedback = round2.last_user_text()
    assert "<validator-output>" in feedback and "'quality_check'" in feedback
    assert REQUEST in json.dumps(round2.body["messages"])  # earlier turns are still there


def test_never_fixed_restores_bundle_byte_for_byte(bundle, scripted_api, agent_env, settings):
    before = tree(bundle)
    databricks_yml = bundle / "databricks.yml"
    broken = ("resources:\n  jobs:\n    extra:\n      name: extra\n      tasks:\n"
              "        - task_key: a\n          depends_on:\n            - task_key: ghost\n"
              "          notebook_task:\n            notebook_path: ../src/sales/"
              "01_ingest_orders.py\n")
    api = scripted_api([
        turn(tool_use("Read", {"file_path": str(databricks_yml)})),
        turn(tool_use("Edit", {"file_path": str(databricks_yml),
                               "old_string": "  name: nightly_sales_etl\n",
                               "new_string": "  name: nightly_sales_etl_v2\n"})),
        turn(tool_use("Write", {"file_path": str(bundle / "resources/extra.job.yml"),
                                "content": broken}),
             tool_use("Write", {"file_path": str(bundle / "src/extra/notes.md"),
                                "content": "new directory\n"})),
        turn(text("Added the extra job.")),
        turn(text("I could not find what is wrong.")),  # round 2: no fix
    ])
    config = AgentConfig(max_rounds=2)
    settings = replace(settings, use_mcp=False)  # not called here: one process fewer
    result = refine_bundle(bundle, "add an extra job", config=config, env=agent_env(api),
                           settings=settings)

    assert result.status == "restored" and not result.ok
    assert result.rounds == 2 and api.turns_served == 5 and api.exhausted == 0
    assert "reverted" in result.message and "2 round(s)" in result.message
    assert result.changes == () and result.diff == ""
    assert set(result.attempted) == {FileChange("databricks.yml", "modified"),
                                     FileChange("resources/extra.job.yml", "added"),
                                     FileChange("src/extra/notes.md", "added")}
    assert any("ghost" in d.summary for d in result.diagnostics)
    assert tree(bundle) == before  # content, added file and the new directory all gone

    # one round fewer, one request fewer: max_rounds bounds the conversation
    api1 = scripted_api([turn(tool_use("Write", {"file_path": str(bundle / "resources/broken.yml"),
                                                 "content": "resources: [\n"})),
                         turn(text("done"))])
    refiner = AgentRefiner(replace(config, max_rounds=1), agent_env(api1), settings)
    result1 = refiner.refine(bundle, "break it", ["earlier comment"])
    assert result1.status == "restored" and result1.rounds == 1 and api1.turns_served == 2
    assert tree(bundle) == before
