"""The action's packaging: action.yml, Dockerfile and the example workflows.

Schemas are checked with check-jsonschema's vendored GitHub schemas (no network); the
security rules that a schema cannot express are checked here: no event text in a shell,
least privilege, a pinned and verified Databricks CLI, a non-root image.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dabgen_ci.core.redact import Redactor

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
DOCKERFILE = ROOT / "Dockerfile"
WORKFLOWS = sorted(
    path
    for folder in (ROOT / "examples" / "workflows", ROOT / ".github" / "workflows")
    for pattern in ("*.yml", "*.yaml")
    for path in folder.glob(pattern)
)
OUR_ACTION = re.compile(r"^[\w.-]+/dabgen@")
# Expressions whose value an outsider controls: a comment, a title, a branch name, an input.
UNTRUSTED = re.compile(r"\$\{\{[^}]*\b(github\.event\b|github\.head_ref\b|inputs\.)")


def check_jsonschema() -> str:
    beside = Path(sys.executable).parent / "check-jsonschema"
    found = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if not found:
        pytest.fail("check-jsonschema is not installed; pip install '.[test]'")
    return found


def run_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [check_jsonschema(), "--builtin-schema", schema, str(path)],
        capture_output=True, text=True, check=False, timeout=120,
    )


def load(path: Path) -> dict[Any, Any]:  # YAML 1.1 keys: `on` is True
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict[Any, Any]) -> Any:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def untrusted_in_scripts(node: Any, where: str = "") -> list[str]:
    """Places where untrusted expression text is pasted into a script (`run`, `script`)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}"
            if key in ("run", "script") and isinstance(value, str) and UNTRUSTED.search(value):
                found.append(here)
            found.extend(untrusted_in_scripts(value, here))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(untrusted_in_scripts(value, f"{where}[{i}]"))
    return found


def test_there_are_example_workflows() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"dabgen.yml", "dabgen-sync.yml", "dabgen-review.yml"} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_schema(path: Path) -> None:
    proc = run_schema("vendor.github-workflows", path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: nope\n")
    assert run_schema("vendor.github-workflows", bad).returncode != 0


def test_action_schema() -> None:
    proc = run_schema("vendor.github-actions", ACTION)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
def test_no_untrusted_text_in_scripts(path: Path) -> None:
    assert untrusted_in_scripts(load(path)) == []


@pytest.mark.parametrize(
    ("script", "flagged"),
    [
        ('echo "${{ github.event.comment.body }}"', True),
        ("echo ${{github.event.issue.title}}", True),
        ("git checkout ${{ github.head_ref }}", True),
        ("dabgen ${{ inputs.command }}", True),
        ('echo "$BODY"', False),
        ("echo ${{ github.repository }} ${{ secrets.X }}", False),
    ],
)
def test_untrusted_text_detector(script: str, flagged: bool) -> None:
    workflow = {"jobs": {"j": {"steps": [{"run": script}, {"with": {"script": "x"}}]}}}
    assert bool(untrusted_in_scripts(workflow)) is flagged


def test_comment_workflow() -> None:
    workflow = load(ROOT / "examples" / "workflows" / "dabgen.yml")
    on = triggers(workflow)
    assert on == {
        "issue_comment": {"types": ["created"]},
        "pull_request_review_comment": {"types": ["created"]},
    }
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "github.event.issue.number" in workflow["concurrency"]["group"]
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    [job] = workflow["jobs"].values()
    assert "startsWith(github.event.comment.body, '/dabgen')" in job["if"]
    assert job["permissions"] == {
        "contents": "write", "pull-requests": "write", "issues": "write"
    }


def test_sync_and_review_workflows() -> None:
    sync = load(ROOT / "examples" / "workflows" / "dabgen-sync.yml")
    assert set(triggers(sync)) == {"schedule", "workflow_dispatch"}
    assert sync["concurrency"]["cancel-in-progress"] is False
    [uses] = [s for s in steps(sync) if OUR_ACTION.match(s.get("uses", ""))]
    assert uses["with"]["command"] == "sync"

    review = load(ROOT / "examples" / "workflows" / "dabgen-review.yml")
    on = triggers(review)
    assert set(on) == {"pull_request"}, "pull_request_target would hand secrets to fork code"
    assert "bundle/**" in on["pull_request"]["paths"]
    [job] = review["jobs"].values()
    assert job["permissions"]["contents"] == "read"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = load(path)
    assert workflow.get("permissions") not in ("write-all", None), "set top-level permissions"
    for job in workflow["jobs"].values():
        assert job.get("permissions") != "write-all"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_only_pass_declared_inputs(path: Path) -> None:
    declared = set(load(ACTION)["inputs"])
    for step in steps(load(path)):
        if OUR_ACTION.match(step.get("uses", "")):
            assert set(step.get("with", {})) <= declared


def test_action_metadata() -> None:
    action = load(ACTION)
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert (ROOT / action["runs"]["image"]).is_file()
    inputs = action["inputs"]
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["config"]["default"] == ".dabgen.yml"
    for name in ("databricks-host", "databricks-token", "databricks-client-id",
                 "databricks-client-secret", "databricks-auth-type", "anthropic-api-key",
                 "bundle-dir"):
        assert name in inputs
    assert "github-oidc" in inputs["databricks-auth-type"]["description"]
    assert set(action["outputs"]) == {"pr-number", "pr-url", "branch", "validation"}


def test_credential_inputs_are_redacted_from_the_container_env() -> None:
    """GitHub passes input `x-y` as INPUT_X-Y; every credential input must be masked."""
    credentials = [n for n in load(ACTION)["inputs"] if re.search(r"token|secret|key", n)]
    assert len(credentials) >= 4
    env = {f"INPUT_{name.upper()}": f"value-of-{name}-0123456789" for name in credentials}
    out = Redactor.from_env(env).redact(" ".join(env.values()))
    for value in env.values():
        assert value not in out


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    logical: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        current += line[:-1] + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            logical.append(current)
            current = ""
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in logical]


def test_dockerfile_entrypoint_is_the_action_command() -> None:
    entrypoints = [args for op, args in dockerfile_instructions() if op == "ENTRYPOINT"]
    assert [json.loads(e) for e in entrypoints] == [["dabgen", "action"]]


def test_dockerfile_pins_and_verifies_the_databricks_cli() -> None:
    instructions = dockerfile_instructions()
    args = dict(a.split("=", 1) for op, a in instructions if op == "ARG" and "=" in a)
    assert re.fullmatch(r"\d+\.\d+\.\d+", args["DATABRICKS_CLI_VERSION"])
    checksums = [v for k, v in args.items() if k.startswith("DATABRICKS_CLI_SHA256")]
    assert checksums and all(re.fullmatch(r"[0-9a-f]{64}", v) for v in checksums)
    [download] = [a for op, a in instructions if op == "RUN" and "curl -" in a]
    assert "releases/download/v${DATABRICKS_CLI_VERSION}/" in download
    assert "sha256sum -c" in download
    assert download.index("sha256sum -c") < download.index("unzip")


def test_dockerfile_installs_the_package_and_runs_as_non_root() -> None:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    final = instructions[last_from:]
    assert any(op == "RUN" and "pip install --no-cache-dir" in a for op, a in final)
    assert any(op == "RUN" and "apt-get install" in a and " git " in a for op, a in final)
    users = [a.strip() for op, a in final if op == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    uid_args = [a for op, a in final if op == "ARG" and a.startswith("APP_UID=")]
    assert all(a.split("=", 1)[1] != "0" for a in uid_args)


def test_dockerignore_keeps_what_pip_needs() -> None:
    ignored = {
        ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    assert {".git", "tests"} <= ignored
    assert not ignored & {"pyproject.toml", "README.md", "dabgen_ci", "mcp_server", "*"}
