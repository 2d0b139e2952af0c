"""Write a runnable pytest scaffold into a bundle: the checks a reviewer wants to keep green.

The scaffold (``tests/test_dabgen_bundle.py``) checks, offline: the bundle loads and passes
dabgen's validator for every target; each notebook parses (Python with :mod:`ast`, other
languages are non-empty); every job still declares the parameters it declared when the
tests were written, and every ``{{job.parameters.x}}`` reference names a declared one.
What is known at writing time (the parameters) is frozen into the file; what can grow
(notebooks, targets) is discovered when the tests run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from dabgen_ci.core.paths import write_file, write_target
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate import load_bundle
from dabgen_ci.validate.files import scan_files

TEST_FILE = Path("tests") / "test_dabgen_bundle.py"


@dataclass(frozen=True)
class CreatedTests:
    file: Path
    notebooks: tuple[str, ...]
    job_parameters: dict[str, list[str]]


def create_tests(root: Path, *, overwrite: bool = False) -> CreatedTests:
    """Write the scaffold under ``root`` (a bundle directory) and say what it covers."""
    root = Path(root)
    bundle = load_bundle(root)  # BadInputError when root holds no bundle
    jobs = (bundle.config.get("resources") or {}).get("jobs") or {}
    if not isinstance(jobs, dict):
        raise BadInputError(f"{root}: resources.jobs is not a mapping; fix the bundle first")
    parameters = {str(key): _parameter_names(job) for key, job in sorted(jobs.items())}
    target = _test_file(root)
    if os.path.lexists(target) and not overwrite:
        raise BadInputError(f"{target} already exists; pass overwrite to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    _test_file(root)  # again: the folder just created must not have become a link out
    try:
        write_file(target, render_scaffold(parameters).encode("utf-8"), overwrite=overwrite)
    except FileExistsError:
        raise BadInputError(f"{target} already exists; pass overwrite to replace it") from None
    notebooks = tuple(sorted(scan_files(root).notebooks))
    return CreatedTests(target, notebooks, parameters)


def _test_file(root: Path) -> Path:
    """The scaffold's path inside the bundle: a ``tests`` folder or test file that is a
    link leading out of the bundle is refused, never followed."""
    return write_target(root, TEST_FILE.as_posix(), what="test file",
                        where=f"the bundle {root}")


def _parameter_names(job: object) -> list[str]:
    declared = job.get("parameters") if isinstance(job, dict) else None
    return sorted({str(p["name"]) for p in declared or [] if isinstance(p, dict) and "name" in p})


def render_scaffold(parameters: dict[str, list[str]]) -> str:
    """The test module's text; ``parameters`` is frozen in as a literal (pure)."""
    expected = json.dumps(parameters, indent=4, sort_keys=True)
    return _TEMPLATE.replace("__EXPECTED_PARAMETERS__", expected)


_TEMPLATE = '''"""Offline checks for this Databricks Asset Bundle, written by dabgen (create_tests).

Run with `python -m pytest tests/`. Needs pytest and dabgen (its offline validator); nothing
here talks to a workspace. Edit freely: dabgen does not rewrite this file unless asked.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

validate = pytest.importorskip("dabgen_ci.validate", reason="pip install dabgen to validate")
files = pytest.importorskip("dabgen_ci.validate.files")
diagnostics = pytest.importorskip("dabgen_ci.core.diagnostics")

ROOT = Path(__file__).resolve().parents[1]
HEADERS = ("# Databricks notebook source", "-- Databricks notebook source",
           "// Databricks notebook source")
PARAMETER_REF = re.compile(r"\\{\\{\\s*job\\.parameters\\.([A-Za-z0-9_.-]+?)\\s*\\}\\}")
# Job parameters each job declared when these tests were written: losing one fails a test.
EXPECTED_PARAMETERS = __EXPECTED_PARAMETERS__


def _config() -> dict:
    return validate.load_bundle(ROOT).config


def _jobs() -> dict:
    return (_config().get("resources") or {}).get("jobs") or {}


TARGETS = sorted(_config().get("targets") or {}) or [None]
NOTEBOOKS = sorted(files.scan_files(ROOT).notebooks)
JOBS = sorted(set(EXPECTED_PARAMETERS) | set(_jobs()))


def test_bundle_loads() -> None:
    loaded = validate.load_bundle(ROOT)
    problems = [d.render() for d in diagnostics.of_severity(loaded.diagnostics)]
    assert not problems, "\\n".join(problems)


@pytest.mark.parametrize("target", TARGETS)
def test_bundle_validates_offline(target: str | None) -> None:
    report = validate.validate_bundle(ROOT, target=target, run_cli=False)
    errors = [d.render() for d in diagnostics.of_severity(report.diagnostics)]
    assert not errors, "\\n".join(errors)


def _code_cells(path: Path) -> tuple[str, list[str]]:
    """(language, cells) of a notebook: a SOURCE export is one text, .ipynb its code cells."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() != ".ipynb":
        body = text.split("\\n", 1)[1] if text.split("\\n", 1)[0].strip() in HEADERS else text
        language = {".py": "python", ".sql": "sql", ".scala": "scala", ".r": "r"}
        return language[path.suffix.lower()], [body]
    doc = json.loads(text)
    meta = doc.get("metadata") or {}
    language = ((meta.get("application/vnd.databricks.v1+notebook") or {}).get("language")
                or (meta.get("language_info") or {}).get("name") or "python")
    cells = ["".join(c.get("source") or []) for c in doc.get("cells") or []
             if c.get("cell_type") == "code"]
    return str(language).lower(), cells


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_parses(notebook: str) -> None:
    language, cells = _code_cells(ROOT / notebook)
    assert any(cell.strip() for cell in cells), f"{notebook} has no code"
    if language != "python":
        return
    for cell in cells:
        lines = [ln for ln in cell.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        ast.parse("\\n".join(lines), filename=notebook)


@pytest.mark.parametrize("job_key", JOBS)
def test_job_declares_its_parameters(job_key: str) -> None:
    job = _jobs().get(job_key)
    assert isinstance(job, dict), f"job {job_key} is no longer in the bundle"
    declared = {p.get("name") for p in job.get("parameters") or []}
    missing = sorted(set(EXPECTED_PARAMETERS.get(job_key, [])) - declared)
    assert not missing, f"job {job_key} no longer declares parameters {missing}"
    undeclared = sorted(set(PARAMETER_REF.findall(json.dumps(job))) - declared)
    assert not undeclared, f"job {job_key} references undeclared parameters {undeclared}"
'''
