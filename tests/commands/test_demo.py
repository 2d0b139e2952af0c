"""``dabgen demo``: the README's first command, end to end.

In-process like every command test; the README's exact command (``dabgen demo`` in the
current directory, no flags) also runs as a child process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.commands.cli_support import run_cli, run_subprocess

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_bundle"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_demo_builds_the_golden_bundle_on_a_branch(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = run_cli(["demo", "--out", str(out)])
    assert done.returncode == 0, done.stderr
    if os.environ.get("DABGEN_UPDATE_GOLDEN"):
        import shutil

        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out / "bundle", GOLDEN)
    assert _tree(out / "bundle") == _tree(GOLDEN)
    assert _git(out, "branch", "--show-current") == "dabgen/demo"
    assert _git(out, "log", "-1", "--format=%an <%ae>|%s") == (
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
        "|dabgen: bundle for 4 jobs from the sample workspace")
    assert _git(out, "diff", "--name-only", "main", "dabgen/demo").splitlines() == [
        f"bundle/{name}" for name in sorted(_tree(GOLDEN))]
    assert "# dabgen: bundle dabgen_demo (4 jobs)" in done.stdout
    assert "<!-- dabgen:pr -->" in done.stdout
    assert "databricks bundle deployment bind nightly_sales_etl 1001" in done.stdout
    assert "Round-trip: ✅" in done.stdout and "0 error(s)" in done.stdout


def test_demo_rerun_is_idempotent_and_guarded(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert run_cli(["demo", "--out", str(out)]).returncode == 0
    head = _git(out, "rev-parse", "HEAD")
    again = run_cli(["demo", "--out", str(out)])
    assert again.returncode == 2 and "--force" in again.stderr
    forced = run_cli(["demo", "--out", str(out), "--force"])
    assert forced.returncode == 0, forced.stderr
    assert "already up to date" in forced.stdout
    assert _git(out, "rev-parse", "HEAD") == head


def test_demo_refuses_a_foreign_directory(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    done = run_cli(["demo", "--out", str(out), "--force"])
    assert done.returncode == 2 and "not created by `dabgen demo`" in done.stderr
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]


def test_demo_default_out_is_relative_to_the_current_directory(tmp_path: Path) -> None:
    done = run_subprocess(["demo"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    repo = tmp_path / "dabgen-demo"
    assert _git(repo, "branch", "--show-current") == "dabgen/demo"
    assert (repo / "bundle" / "databricks.yml").is_file()
    assert not (repo / "dabgen-demo").exists()
