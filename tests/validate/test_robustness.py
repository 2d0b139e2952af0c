"""Schema-invalid shapes must give diagnostics, never exceptions: rules still run on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.validate import validate_bundle
from tests.validate.bundles import write_bundle

ODD_RESOURCES = [
    "resources: []\n",
    "resources:\n  jobs: x\n",
    "resources:\n  jobs:\n    j: []\n",
    "resources:\n  jobs:\n    j:\n      tasks: {a: 1}\n",
    "resources:\n  jobs:\n    j:\n      tasks: [1, x, null]\n",
    "resources:\n  jobs:\n    j:\n      tasks:\n        - task_key: 3\n          depends_on: x\n",
    "resources:\n  jobs:\n    j:\n      job_clusters: x\n      environments: [1]\n"
    "      tasks:\n        - task_key: a\n          job_cluster_key: c\n          libraries: x\n",
    "resources:\n  jobs:\n    j:\n      tasks:\n        - task_key: a\n          depends_on:\n"
    "            - 1\n            - task_key: [x]\n          for_each_task: {task: x}\n",
    "resources:\n  pipelines:\n    p:\n      libraries: [1, {notebook: x}, {file: {path: 3}}]\n"
    "      environment: {dependencies: x}\n",
    "variables: []\n",
    "variables:\n  v: 3\n",
    "targets: []\n",
    "targets:\n  dev: x\n",
    "bundle: x\n",
    "include: x\n",
    "resources:\n  jobs:\n    j:\n      parameters: x\n      tasks:\n        - task_key: a\n"
    "          spark_python_task: {python_file: 3, parameters: {--password: x}}\n",
]


@pytest.mark.parametrize("text", ODD_RESOURCES)
def test_odd_shapes_in_an_included_file(tmp_path: Path, text: str) -> None:
    report = validate_bundle(write_bundle(tmp_path, {"resources/odd.yml": text}), run_cli=False)
    assert report.validators_run == ("schema", "rules")
    assert not report.ok


def test_target_override_that_clashes_with_the_root_is_a_diagnostic(tmp_path: Path) -> None:
    text = ("bundle: {name: x}\nresources:\n  jobs:\n    j: {name: j}\n"
            "targets:\n  dev:\n    default: true\n    resources:\n      jobs: [1]\n")
    report = validate_bundle(write_bundle(tmp_path, {"databricks.yml": text}), run_cli=False)

    clash = [d for d in report.diagnostics if "cannot be applied" in d.summary]
    assert len(clash) == 1
    assert clash[0].path == "targets.dev"
