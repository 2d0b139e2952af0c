"""`dabgen generate --config .dabgen.yml`: the secrets allow-list applies locally as the bot
applies it, and a config that cannot be read stops the run before any workspace work."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dabgen_ci.core.secrets import fingerprint
from tests.commands.cli_support import run

DEMO = Path(__file__).resolve().parents[2] / "dabgen_ci" / "data" / "demo_workspace"
DAPI = "dapi" + "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"


def snapshot_with_a_token_tag(tmp_path: Path) -> Path:
    snapshot = Path(shutil.copytree(DEMO, tmp_path / "snap"))
    job_file = snapshot / "jobs" / "1001.json"
    job = json.loads(job_file.read_text())
    job["settings"]["tags"][DAPI] = "looks like a token, is a documented example"
    job_file.write_text(json.dumps(job))
    return snapshot


def generate(snapshot: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    done = run(["generate", "job", "1001", "--workspace-snapshot", str(snapshot), "--out",
                str(out), "--no-cli", *extra])
    return done.exit_code, done.stdout, done.stderr


def test_the_allow_list_of_a_config_accepts_a_known_false_positive(tmp_path: Path) -> None:
    snapshot = snapshot_with_a_token_tag(tmp_path)
    code, stdout, stderr = generate(snapshot, tmp_path / "refused")
    assert code == 1 and f"[fingerprint {fingerprint(DAPI)}]" in stdout + stderr
    assert DAPI not in stdout + stderr

    config = tmp_path / ".dabgen.yml"
    config.write_text(f"secrets:\n  allow:\n    - fingerprint: {fingerprint(DAPI)}\n"
                      "      reason: the docs' example token\n")
    code, stdout, stderr = generate(snapshot, tmp_path / "accepted", "--config", str(config))
    assert code == 0, stdout + stderr
    assert (tmp_path / "accepted" / "databricks.yml").is_file()


def test_a_bad_config_is_bad_input_and_nothing_is_written(tmp_path: Path) -> None:
    snapshot = snapshot_with_a_token_tag(tmp_path)
    config = tmp_path / ".dabgen.yml"
    for text, message in ((b"secrets: {allow: [{fingerprint: nope}]}\n",
                           "secrets.allow[0].fingerprint"),
                          (b"secrets: \xff\n", "cannot read")):
        config.write_bytes(text)
        code, _, stderr = generate(snapshot, tmp_path / "out", "--config", str(config))
        assert code == 2 and message in stderr
        assert not (tmp_path / "out").exists()
    code, _, stderr = generate(snapshot, tmp_path / "out", "--config", str(tmp_path / "none"))
    assert code == 2 and "does not exist; `dabgen init` writes a starter" in stderr
