"""`.dabgen.yml` for sync: both forms, every problem with its line, `dabgen init`."""

from __future__ import annotations

from pathlib import Path

import pytest

from dabgen_ci.config import Config, parse_config
from dabgen_ci.config.bundles import BundleConfig, SyncSettings
from dabgen_ci.config.check import check_config_text
from dabgen_ci.errors import BadInputError
from tests.commands.cli_support import ROOT, run

SEVERAL = """\
version: 1
bundles:
  - dir: bundles/sales
    name: sales
    jobs: {ids: [1, 2], names: ["Nightly*"], tags: {team: sales}}
    sync: {remove_deleted: true, exclude: ["src/scratch/*"], target: prod}
  - dir: bundles/ml
    name: ml
    tags: {team: ml}
    paths: [/Workspace/Shared/ml]
permissions: {sync: maintain}
"""


def test_single_form_is_one_bundle() -> None:
    config = parse_config("version: 1\nbundle_dir: jobs/etl\njobs: {ids: [7]}\n"
                          "sync: {remove_deleted: true}\n")
    assert config.managed_bundles() == (
        BundleConfig("jobs/etl", "etl", (7,), sync=SyncSettings(remove_deleted=True)),)
    assert Config().managed_bundles() == (BundleConfig("bundle", "bundle"),)
    assert parse_config(None) == Config()


def test_bundles_form() -> None:
    config = parse_config(SEVERAL)
    sales, ml = config.managed_bundles()
    assert sales == BundleConfig(
        "bundles/sales", "sales", (1, 2), ("Nightly*",), (("team", "sales"),),
        sync=SyncSettings(True, ("src/scratch/*",), "prod"))
    assert (ml.job_tags, ml.paths, ml.sync) == ((("team", "ml"),), ("/Workspace/Shared/ml",),
                                                SyncSettings())
    assert config.allows("sync", "maintain") and not config.allows("sync", "write")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\njobs:\n  ids: [1, abc]\n",
         ["3: jobs.ids[1]: 'abc' is not of type 'integer'"]),
        ("version: 1\nsync:\n  remove_deleted: yes\n",  # YAML 1.2: `yes` is a string
         ["3: sync.remove_deleted: 'yes' is not of type 'boolean'"]),
        ("version: 1\nbundles:\n  - {dir: a, name: x}\n  - {dir: a/b, name: x}\n"
         "bundle_dir: z\n",
         ["4: bundles[1].dir: bundle folder `a/b` is inside bundle folder `a` of bundle 0",
          "4: bundles[1].name: bundle name `x` is used by bundles 0 and 1; each bundle needs "
          "its own",
          "5: bundle_dir: `bundle_dir` belongs to the single-bundle form; with `bundles:` set "
          "it on each bundle"]),
        ("bundles:\n  - dir: a\n    name: a\n    ids: [5]\n  - dir: b\n    name: b\n"
         "    jobs: {ids: [5]}\n",
         ["7: bundles[1].jobs.ids[0]: job 5 is already managed by bundle `a`; a job belongs "
          "to one bundle"]),
        ("bundles:\n  - {dir: ../out, name: a}\n  - {dir: b}\n",
         ["2: bundles[0].dir: '../out' does not match", "3: bundles[1]: 'name' is a required"]),
        ("version: 1\nsurprise: 1\n", ["2: surprise: unknown field 'surprise'"]),
        ("version: 1\njobs: [\n", ["3: not valid YAML"]),
    ],
)
def test_every_problem_has_its_line(text: str, expected: list[str]) -> None:
    data, problems = check_config_text(text)
    assert data is None
    rendered = [p.render(".dabgen.yml").removeprefix(".dabgen.yml:") for p in problems]
    assert len(rendered) == len(expected), rendered
    for line, want in zip(rendered, expected, strict=True):
        assert line.startswith(want), (line, want)


def test_loading_a_bad_file_names_the_lines() -> None:
    with pytest.raises(BadInputError, match=r"^\.dabgen\.yml:3: jobs\.ids\[1\]: 'abc'"):
        parse_config("version: 1\njobs:\n  ids: [1, abc]\n")


def test_config_check_command(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text(SEVERAL)
    bad.write_text("version: 2\nsync: {exclude: [1]}\n")
    ok = run(["config", "check", str(good)])
    assert (ok.exit_code, ok.stdout) == (0, f"{good}: ok\n")
    failed = run(["config", "check", str(bad)])
    assert failed.exit_code == 1
    assert failed.stdout.splitlines() == [f"{bad}:1: version: 1 was expected",
                                          f"{bad}:2: sync.exclude[0]: 1 is not of type 'string'"]
    missing = run(["config", "check", str(tmp_path / "nope.yml")])
    assert missing.exit_code == 2 and "dabgen init" in missing.stderr


def test_init_writes_a_starter_that_passes_check(tmp_path: Path) -> None:
    result = run(["init", "--repo", str(tmp_path), "--job", "1001", "--name", "Nightly*",
                  "--tag", "team=sales", "--tag", "flag=no", "--path", "/Workspace/Shared/x",
                  "--dir", "bundles/sales"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / ".dabgen.yml").read_text()
    assert text.startswith("# dabgen configuration: which Databricks jobs")
    assert "  ids: [1001]\n" in text and '    "flag": "no"\n' in text
    assert run(["config", "check", str(tmp_path / ".dabgen.yml")]).exit_code == 0
    [bundle] = parse_config(text).managed_bundles()
    assert bundle == BundleConfig("bundles/sales", "sales", (1001,), ("Nightly*",),
                                  (("flag", "no"), ("team", "sales")), ("/Workspace/Shared/x",))
    for name in ("dabgen.yml", "dabgen-sync.yml", "dabgen-review.yml"):
        copied = (tmp_path / ".github" / "workflows" / name).read_bytes()
        assert copied == (ROOT / "examples" / "workflows" / name).read_bytes()
    again = run(["init", "--repo", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert (tmp_path / ".dabgen.yml").read_text() == text  # untouched
    assert run(["init", "--repo", str(tmp_path), "--force"]).exit_code == 0


def test_init_without_selectors_is_still_valid(tmp_path: Path) -> None:
    assert run(["init", "--repo", str(tmp_path)]).exit_code == 0
    _, problems = check_config_text((tmp_path / ".dabgen.yml").read_text())
    assert problems == []


def test_packaged_workflows_are_the_examples() -> None:
    packaged = ROOT / "dabgen_ci" / "data" / "workflows"
    for name in ("dabgen.yml", "dabgen-sync.yml", "dabgen-review.yml"):
        assert (packaged / name).read_bytes() == (ROOT / "examples" / "workflows" /
                                                   name).read_bytes(), name
