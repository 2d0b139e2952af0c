"""Output is complete or untouched, and the exit code says which.

``--force`` over a symlinked ``src``, a write that fails (file size limit: the class "the
disk refused the write"), ``--zip`` that fails, ``--out`` below a file or too long, and
Ctrl-C while waiting on the workspace or in the middle of the swap: every case ends with
one line, exit 2 or 130, and the previous tree byte for byte.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from tests.commands.cli_support import ROOT, live_env, run, run_subprocess
from tests.servers.workspace_server import Request, WorkspaceServer

NOTEBOOK = "workspace/Workspace/Users/data-eng@acme.com/sales/01_ingest_orders.py"


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry below ``root``: file bytes, or ``-> target`` for a link."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[rel] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


@pytest.fixture
def old_bundle(demo_snapshot: Path, tmp_path: Path) -> Path:
    """A bundle generated from the demo; the snapshot is then changed so a new run differs."""
    out = tmp_path / "bundle"
    done = run(["generate", "job", "1001", "--out", str(out), "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 0, done.output
    (out / "README.md").write_text("mine\n")
    notebook = demo_snapshot / NOTEBOOK
    notebook.write_text(notebook.read_text() + "\nprint('changed')\n")
    return out


def one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_force_with_a_symlinked_src_touches_nothing(old_bundle: Path, demo_snapshot: Path,
                                                     tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.py").write_text("keep\n")
    shutil.rmtree(old_bundle / "src")
    (old_bundle / "src").symlink_to(elsewhere, target_is_directory=True)
    before = tree(old_bundle)
    done = run(["generate", "job", "1001", "--out", str(old_bundle), "--force", "--no-cli",
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2
    assert "src is a symbolic link" in one_error_line(done.stderr)
    assert tree(old_bundle) == before
    assert tree(elsewhere) == {"keep.py": b"keep\n"}


def test_out_below_a_file_is_bad_input_and_creates_nothing(demo_snapshot: Path,
                                                           tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    done = run(["generate", "job", "1001", "--out", str(tmp_path / "file.txt" / "b"),
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2
    assert "which is a file" in one_error_line(done.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "snap"]


def test_out_name_over_the_file_system_limit_is_bad_input(demo_snapshot: Path,
                                                          tmp_path: Path) -> None:
    done = run(["generate", "job", "1001", "--out", str(tmp_path / ("b" * 300)),
                "--workspace-snapshot", str(demo_snapshot)])
    assert done.exit_code == 2
    assert "name too long" in one_error_line(done.stderr).lower()


def test_zip_below_a_missing_folder_fails_before_any_work(workspace: WorkspaceServer,
                                                          tmp_path: Path) -> None:
    done = run(["generate", "job", "1001", "--out", str(tmp_path / "b"),
                "--zip", str(tmp_path / "missing" / "b.zip")], live_env(workspace))
    assert done.exit_code == 2
    assert "does not exist" in one_error_line(done.stderr)
    assert not (tmp_path / "b").exists() and not workspace.requests


def _limit_file_size(limit: int):
    def apply() -> None:  # runs in the child: writes past `limit` bytes fail with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def run_limited(args: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DABGEN_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-c", "from dabgen_ci.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=120,
        preexec_fn=_limit_file_size(limit),
    )


def test_a_write_the_disk_refuses_leaves_the_old_tree(old_bundle: Path,
                                                      demo_snapshot: Path) -> None:
    before = tree(old_bundle)
    done = run_limited(["generate", "job", "1001", "--out", str(old_bundle), "--force",
                        "--no-cli", "--workspace-snapshot", str(demo_snapshot)], limit=1000)
    assert done.returncode == 2, done.stderr
    assert "cannot write the bundle" in one_error_line(done.stderr)
    assert tree(old_bundle) == before
    assert sorted(p.name for p in old_bundle.iterdir()) == [
        "README.md", "databricks.yml", "resources", "src"]  # no staging left behind


def test_a_zip_the_disk_refuses_leaves_the_old_zip(old_bundle: Path, demo_snapshot: Path,
                                                   tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"old zip")
    done = run_limited(["generate", "job", "1001", "--out", str(old_bundle), "--force",
                        "--no-cli", "--workspace-snapshot", str(demo_snapshot),
                        "--zip", str(archive)], limit=4000)
    assert done.returncode == 2, done.stderr
    assert "cannot write --zip" in one_error_line(done.stderr)
    assert archive.read_bytes() == b"old zip"
    assert sorted(p.name for p in tmp_path.iterdir() if "zip" in p.name) == ["bundle.zip"]


def test_zip_is_replaced_whole(old_bundle: Path, demo_snapshot: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bundle.zip"
    archive.write_bytes(b"old zip")
    done = run(["generate", "job", "1001", "--out", str(old_bundle), "--force", "--no-cli",
                "--workspace-snapshot", str(demo_snapshot), "--zip", str(archive)])
    assert done.exit_code == 0, done.output
    names = zipfile.ZipFile(archive).namelist()
    assert "databricks.yml" in names and "README.md" not in names


def test_sigint_while_waiting_on_the_workspace_exits_130(old_bundle: Path,
                                                         demo_snapshot: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    with WorkspaceServer(demo_snapshot) as server:
        def blocking_jobs_get(req: Request) -> object:
            entered.set()
            release.wait(timeout=60)
            return server._jobs_get(req)

        server.route("GET", "/api/2.2/jobs/get", blocking_jobs_get)
        before = tree(old_bundle)
        env = {**os.environ, **live_env(server), "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen(
            [sys.executable, "-c", "from dabgen_ci.cli import main; main()", "generate", "job",
             "1001", "--out", str(old_bundle), "--force", "--no-cli"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            assert entered.wait(timeout=60), "dabgen never asked for the job"
            child.send_signal(signal.SIGINT)
            _, stderr = child.communicate(timeout=60)
        finally:
            release.set()
            if child.poll() is None:
                child.kill()
    assert child.returncode == 130, stderr
    assert "interrupted" in one_error_line(stderr)
    assert tree(old_bundle) == before


# Runs dabgen with a real SIGINT delivered to itself right after the swap's N-th rename
# (3 owned entries move aside, then 3 staged ones move in): the signal arrives at a known
# point, no race.
_INTERRUPT_MID_SWAP = """
import os, signal, sys
import dabgen_ci.bundle_writer as writer
real_rename, count, at = os.rename, [0], int(os.environ["INTERRUPT_AT_RENAME"])
def rename(src, dst):
    real_rename(src, dst)
    count[0] += 1
    if count[0] == at:
        os.kill(os.getpid(), signal.SIGINT)
writer.os.rename = rename
from dabgen_ci.cli import main
sys.argv = ["dabgen", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("at_rename", [1, 3, 4, 6])
def test_sigint_in_the_middle_of_the_swap_restores_the_old_tree(
        old_bundle: Path, demo_snapshot: Path, at_rename: int) -> None:
    before = tree(old_bundle)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTERRUPT_AT_RENAME": str(at_rename)}
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_MID_SWAP, "generate", "job", "1001", "--out",
         str(old_bundle), "--force", "--no-cli", "--workspace-snapshot", str(demo_snapshot)],
        capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 130, done.stderr
    assert "interrupted" in one_error_line(done.stderr)
    assert tree(old_bundle) == before
    assert sorted(p.name for p in old_bundle.iterdir()) == [
        "README.md", "databricks.yml", "resources", "src"]


def test_the_same_run_without_interruption_replaces_the_tree(old_bundle: Path,
                                                             demo_snapshot: Path) -> None:
    before = tree(old_bundle)
    done = run_subprocess(["generate", "job", "1001", "--out", str(old_bundle), "--force",
                           "--no-cli", "--workspace-snapshot", str(demo_snapshot)])
    assert done.returncode == 0, done.stderr
    after = tree(old_bundle)
    assert after != before and after["README.md"] == b"mine\n"
    assert b"changed" in after["src/sales/01_ingest_orders.py"]
