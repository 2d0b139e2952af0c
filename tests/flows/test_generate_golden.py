"""Golden cases for the converter: a workspace snapshot in, the exact bundle out.

One folder per case, as the Databricks CLI keeps its generator acceptance tests
(``acceptance/bundle/generate/<case>/``)::

    tests/golden/generate/<case>/snapshot/      jobs/<id>.json + workspace/<path> (README format)
    tests/golden/generate/<case>/expected/      the bundle dabgen writes, byte for byte
    tests/golden/generate/<case>/diagnostics.txt  what validation and the round-trip reported

Each case runs the generate flow (every job of the snapshot, offline validator only) and
compares every file. A converter change that alters output fails here with the file and
a diff; when the change is intended, regenerate and review the diff in git:

    DABGEN_UPDATE_GOLDEN=1 pytest tests/flows/test_generate_golden.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from dabgen_ci.core.results import GenerateResult
from dabgen_ci.flows.generate import GenerateOptions, generate_jobs
from dabgen_ci.flows.select import JobSelection
from dabgen_ci.workspace.snapshot import SnapshotSource

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "generate"
UPDATE = os.environ.get("DABGEN_UPDATE_GOLDEN") == "1"  # explicit: "0" or "" compare
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "snapshot" / "jobs").is_dir())


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def job_ids(snapshot: Path) -> tuple[int, ...]:
    return tuple(sorted(int(p.stem) for p in (snapshot / "jobs").glob("*.json")))


def diagnostics_text(result: GenerateResult) -> str:
    """Every finding, one per line: warnings the converter gives are part of its output."""
    lines = [f"# validation ({', '.join(result.validators_run)})"]
    lines += [d.render() for d in result.diagnostics] or ["(none)"]
    lines += ["# round-trip"]
    lines += [d.render() for d in result.roundtrip] or ["(none)"]
    return "\n".join(lines) + "\n"


def _diff(name: str, expected: bytes, produced: bytes) -> str:
    return "".join(difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        produced.decode("utf-8", "replace").splitlines(keepends=True),
        f"expected/{name}", f"produced/{name}"))


def _update(case_dir: Path, produced: dict[str, bytes], report: str) -> None:
    shutil.rmtree(case_dir / "expected", ignore_errors=True)
    for name, data in produced.items():
        target = case_dir / "expected" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (case_dir / "diagnostics.txt").write_text(report, encoding="utf-8")


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 10, CASES


@pytest.mark.parametrize("case", CASES)
def test_generate_matches_the_golden_case(case: str, tmp_path: Path) -> None:
    case_dir = GOLDEN / case
    snapshot = case_dir / "snapshot"
    out = tmp_path / case  # a multi-job bundle is named after its directory: the case
    result = generate_jobs(SnapshotSource(snapshot), JobSelection(ids=job_ids(snapshot)),
                           GenerateOptions(out=out, run_cli=False))
    produced, report = tree(out), diagnostics_text(result)
    if UPDATE:
        _update(case_dir, produced, report)

    expected = tree(case_dir / "expected")
    assert sorted(produced) == sorted(expected)
    for name, data in produced.items():
        assert data == expected[name], _diff(name, expected[name], data)
    assert report == (case_dir / "diagnostics.txt").read_text(encoding="utf-8")



def test_files_already_in_the_folder_are_validated_too(tmp_path: Path) -> None:
    """Into an empty folder the bundle is what was written (its files are told from
    memory); into one that holds files of its own (--force), they are part of the bundle
    and validated with it."""
    snapshot = GOLDEN / CASES[0] / "snapshot"
    out = tmp_path / "bundle"
    (out / "notes").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (out / "notes" / "shared").symlink_to(tmp_path / "elsewhere")
    result = generate_jobs(SnapshotSource(snapshot), JobSelection(ids=job_ids(snapshot)),
                           GenerateOptions(out=out, run_cli=False, force=True))
    assert [d.file for d in result.diagnostics if "leads outside" in d.summary] == [
        "notes/shared"]
