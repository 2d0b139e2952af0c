"""Secrets never reach git: a credential in a key, a value or a notebook stops delivery.

Through the real servers: the job lives in the workspace server, `/dabgen job` is a real
comment on the GitHub server, the bot's flow runs in-process with the real adapters. A
credential used as a tag key, as a `base_parameters` key, or hard-coded in a notebook
means no branch, no commit, no PR; the tracking comment lists each finding by file and
line with a fingerprint and never the credential. A false positive is accepted by a
`dabgen: allow-secret` marker on its line or by its fingerprint in `.dabgen.yml`.
"""

from __future__ import annotations

import re

from dabgen_ci.core.secrets import fingerprint
from tests.e2e.conftest import World, git

DAPI = "dapi" + "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
GHP = "ghp_" + "Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0GfEdCbA9"
AKIA = "AKIA" + "Q5X3ZJ7WBN2MKD4P"
ME = "/Workspace/Users/payments@acme.com"
NOTEBOOK = f"""# Databricks notebook source
import boto3

# COMMAND ----------

s3 = boto3.client("s3", aws_access_key_id="{AKIA}",
                  aws_secret_access_key=dbutils.secrets.get("aws", "secret"))
"""
NOTEBOOK_TOKEN_LINE = 6


def secret_job() -> dict:
    return {
        "job_id": 3001, "creator_user_name": "payments@acme.com",
        "settings": {
            "name": "Payments sync",
            "tags": {"team": "payments", DAPI: ""},
            "tasks": [{
                "task_key": "sync",
                "notebook_task": {"notebook_path": f"{ME}/sync",
                                  "base_parameters": {GHP: "x", "mode": "full"}},
            }],
        },
    }


def add_notebook(world: World, text: str) -> None:
    folder = world.snapshot / "workspace" / ME.lstrip("/")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sync.py").write_text(text)


def final_tracking(world: World) -> str:
    [tracking] = world.bot_comments()
    return world.github.comment_history(tracking.id)[-1]


def test_credentials_in_keys_and_sources_stop_delivery_and_are_never_shown(world: World
                                                                             ) -> None:
    world.add_job(secret_job())
    add_notebook(world, NOTEBOOK)

    run = world.run(world.comment("/dabgen job 3001"))

    assert run.code == 0, run.stderr  # the comment reported the outcome
    assert world.branches() == ["main"] and world.github.pulls() == []
    final = final_tracking(world)
    assert "❌ dabgen could not finish" in final
    assert "validation error(s); nothing was pushed" in final
    assert "allow-secret" in final and "secrets.allow" in final
    resource = "resources/payments_sync.job.yml"
    found = {
        "tag key": rf"{re.escape(resource)}:\d+: this key looks like a Databricks personal "
                   r"access token.*\(resources\.jobs\.payments_sync\.tags\.\*\*\*\)",
        "parameter key": rf"{re.escape(resource)}:\d+: this key looks like a GitHub token.*"
                         r"base_parameters\.\*\*\*\)",
        "notebook": rf"src/sync\.py:{NOTEBOOK_TOKEN_LINE}: this line looks like it holds an "
                    r"AWS access key id",
    }
    for what, pattern in found.items():
        assert re.search(pattern, final), f"{what} not reported:\n{final}"
    for secret in (DAPI, GHP, AKIA):
        assert f"[fingerprint {fingerprint(secret)}]" in final
        assert secret not in world.everything_sent()
    assert world.files("main") == ["README.md"]


def test_a_marked_line_and_an_allowed_fingerprint_are_delivered(world: World) -> None:
    """The AWS documentation's example key is a classic false positive."""
    example = "AKIA" + "IOSFODNN7EXAMPLE"
    job = secret_job()
    job["settings"]["tags"] = {"team": "payments", example: "docs"}
    job["settings"]["tasks"][0]["notebook_task"]["base_parameters"] = {"mode": "full"}
    world.add_job(job)
    add_notebook(world, NOTEBOOK.replace(AKIA, example).replace(
        'aws_access_key_id="' + example + '",',
        'aws_access_key_id="' + example + '",  # dabgen: allow-secret (AWS docs example)'))

    first = world.run(world.comment("/dabgen job 3001"))
    assert first.code == 0, first.stderr
    assert world.branches() == ["main"]  # the tag key is not marked: still refused
    refused = world.github.comment_history(world.bot_comments()[-1].id)[-1]
    assert "this key looks like an AWS access key id" in refused
    assert "src/sync.py" not in refused  # the marked line is accepted

    _commit_config(world, "secrets:\n  allow:\n"
                          f"    - fingerprint: {fingerprint(example)}\n"
                          "      reason: the AWS documentation's example key\n")
    second = world.run(world.comment("/dabgen job 3001"))
    assert second.code == 0, second.stderr
    assert "dabgen/job-3001" in world.branches()
    [pull] = world.github.pulls()
    assert pull.head == "dabgen/job-3001"


def _commit_config(world: World, text: str) -> None:
    scratch = world.root / "config-commit"
    git(world.root, "clone", "-q", str(world.bare), str(scratch))
    (scratch / ".dabgen.yml").write_text(text)
    git(scratch, "add", "-A")
    git(scratch, "commit", "-q", "-m", "allow the AWS docs example key")
    git(scratch, "push", "-q", "origin", "main")
