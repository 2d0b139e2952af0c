"""The drift report's Markdown: exact lines, redaction, escaping, the 65,536-character cap."""

from __future__ import annotations

from typing import Any

from dabgen_ci.core.bundle.merge import ABSENT
from dabgen_ci.core.redact import Redactor
from dabgen_ci.core.sync.render import RenderOptions, render_report
from dabgen_ci.core.sync.report import (
    BundleReport,
    FieldChange,
    FieldConflict,
    JobDrift,
    SourceChange,
)
from dabgen_ci.validate.rules_secrets import sensitive_name

TOKEN = "dapi" + "0123456789abcdef0123456789abcdef"


def job(job_id: int, **fields: Any) -> JobDrift:
    base: dict[str, Any] = {"key": f"job_{job_id}", "name": f"Job {job_id}",
                            "file": f"resources/j{job_id}.yml", "kinds": ("settings",)}
    return JobDrift(job_id, **{**base, **fields})


def test_lines() -> None:
    report = BundleReport("sales", "bundle", (
        job(1, changes=(FieldChange("max_concurrent_runs", 1, 3),
                        FieldChange("description", ABSENT, "new")),
            tasks_added=("publish",),
            conflicts=(FieldConflict("timeout_seconds", 10, 20, 5),),
            sources=(SourceChange("/W/a", "src/a.py", "changed", "@@ -1 +1 @@\n-a\n+b"),),
            kinds=("settings", "sources", "conflict")),
    ), unchanged_jobs=4)
    text = render_report(report, RenderOptions(marker="<!-- dabgen:sync bundle=sales -->"))
    lines = text.splitlines()
    assert lines[:3] == ["<!-- dabgen:sync bundle=sales -->",
                         "## dabgen sync: bundle `sales` in `bundle/`", ""]
    assert ("The workspace has drifted from `bundle/`: 1 job(s) changed, **1 conflict(s)** "
            "(the repository's values were kept).") in lines
    assert "| `Job 1` (`1`) | settings, sources, conflict | 2 | +1 −0 | 1 | 1 |" in lines
    assert "4 other job(s) match the workspace." in lines
    assert "- `max_concurrent_runs`: `1` → `3`" in lines
    assert "- `description`: *(absent)* → `new`" in lines
    assert "- task added: `publish`" in lines
    assert "- **conflict** `timeout_seconds`: repository `10` (kept) · workspace `20`" in lines
    assert "- source `src/a.py` changed" in lines
    assert "```diff" in lines and "+b" in lines


def test_secrets_are_redacted_and_job_text_is_inert() -> None:
    report = BundleReport("sales", "bundle", (
        job(1, name="@admins | <b>boss</b>", changes=(
            FieldChange("spark_conf.password", "old-secret", "new-secret"),
            FieldChange("tasks[a].notebook_task.base_parameters.table", "x", f"t {TOKEN}"))),))
    text = render_report(report, RenderOptions(redact=Redactor(), sensitive=sensitive_name))
    assert "new-secret" not in text and "old-secret" not in text and TOKEN not in text
    assert "- `spark_conf.password`: `***` → `***`" in text
    # code span (core/bot/markdown.literal): no mention, no markup; U+200B after the @
    assert "| `@\u200badmins \\| <b>boss</b>` (`1`) |" in text
    assert "<summary><code>@\u200badmins | &lt;b&gt;boss&lt;/b&gt;</code> (1)" in text


def test_a_report_too_long_for_a_pr_body_keeps_the_table_and_links_the_run() -> None:
    diff = "\n".join(f"+line {n}" for n in range(80))
    jobs = tuple(job(n, sources=tuple(SourceChange(f"/W/{n}/{m}", f"src/{n}/{m}.py", "changed",
                                                   diff) for m in range(5)))
                 for n in range(1, 121))
    report = BundleReport("sales", "bundle", jobs)
    full = render_report(report, RenderOptions(), limit=10**9)
    assert len(full) > 65_536
    body = render_report(report, RenderOptions(run_url="https://gh/runs/9"))
    assert len(body) <= 60_000
    assert "| `Job 120` (`120`) | settings | 0 | 0 | 5 | 0 |" in body
    assert "<details>" not in body
    assert "[workflow run's summary](https://gh/runs/9)" in body


def test_no_drift() -> None:
    text = render_report(BundleReport("sales", "bundle", unchanged_jobs=3), RenderOptions())
    assert "No drift: the 3 job(s) of `bundle/` match the workspace." in text
    assert "| job |" not in text
