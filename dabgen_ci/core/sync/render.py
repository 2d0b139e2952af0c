"""The drift report as Markdown: the sync PR's body and the workflow run's summary (pure).

First a summary table (job, change kinds, counts), then per job a ``<details>`` block:
each changed field as a YAML path with old → new value, tasks added and removed, each
source file with its (capped) unified diff, every conflict with both values, and notes such
as what a removal does on the next deploy. Job text is data: names and values are shown as
code spans, so nothing in them becomes markup or a mention. Values are passed through
``redact`` and those under secret-sounding names are masked.

A body must fit GitHub's 65,536 characters: past ``limit`` the body keeps the table and
links the workflow run's summary, which has the whole report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dabgen_ci.core.bot.markdown import literal, neutral
from dabgen_ci.core.bot.tracking_text import cap, fenced
from dabgen_ci.core.bundle.merge import ABSENT
from dabgen_ci.core.diagnostics import of_severity
from dabgen_ci.core.secrets import MASK
from dabgen_ci.core.sync.report import BundleReport, FieldChange, FieldConflict, JobDrift

BODY_LIMIT = 60_000
VALUE_CHARS = 160


@dataclass(frozen=True)
class RenderOptions:
    redact: Callable[[str], str] = lambda text: text
    sensitive: Callable[[str], bool] = lambda name: False  # a field name that holds secrets
    run_url: str | None = None
    marker: str = ""


def render_report(report: BundleReport, options: RenderOptions, *, limit: int = BODY_LIMIT
                  ) -> str:
    """The whole report, or the table and a link when the whole would exceed ``limit``."""
    head = _head(report, options)
    full = "\n".join([head, *(_job_details(j, options) for j in report.jobs), _footer(report)])
    if len(full) <= limit:
        return full
    where = (f"the [workflow run's summary]({options.run_url})" if options.run_url
             else "the workflow run's summary")
    note = (f"\nThe full report (every field, diff and conflict) is longer than a pull "
            f"request body may be; it is in {where}.\n")
    return cap(head + note, limit)


def summary_line(report: BundleReport) -> str:
    """One sentence: how many jobs drifted and how many conflicts need a look."""
    if not report.jobs:
        return (f"No drift: the {report.unchanged_jobs} job(s) of `{report.dir}/` match the "
                "workspace.")
    conflicts = report.conflicts
    tail = f", **{conflicts} conflict(s)** (the repository's values were kept)" if conflicts else ""
    return (f"The workspace has drifted from `{report.dir}/`: {len(report.jobs)} job(s) "
            f"changed{tail}.")


def _head(report: BundleReport, options: RenderOptions) -> str:
    lines = [options.marker] if options.marker else []
    lines += [f"## dabgen sync: bundle `{report.name}` in `{report.dir}/`", "",
              summary_line(report), ""]
    if report.jobs:
        lines += ["| job | change | fields | tasks | sources | conflicts |",
                  "|---|---|---|---|---|---|"]
        lines += [_row(job) for job in report.jobs]
        lines.append("")
    if report.unchanged_jobs:
        lines += [f"{report.unchanged_jobs} other job(s) match the workspace.", ""]
    lines += [f"- {note}" for note in report.notes]
    errors = of_severity(report.diagnostics)
    if errors:
        body = "\n".join(options.redact(d.render()) for d in errors[:50])
        lines += ["", f"**Validation: {len(errors)} error(s)**", "", fenced(body), ""]
    return "\n".join(lines)


def _row(job: JobDrift) -> str:
    name = _cell(literal(job.name)) + f" (`{job.job_id}`)"
    tasks = f"+{len(job.tasks_added)} −{len(job.tasks_removed)}" \
        if job.tasks_added or job.tasks_removed else "0"
    return (f"| {name} | {', '.join(job.kinds)} | {len(job.changes)} | {tasks} | "
            f"{len(job.sources)} | {len(job.conflicts)} |")


def _job_details(job: JobDrift, options: RenderOptions) -> str:
    where = job.file or "(not in the repository)"
    title = f"<code>{_html(job.name)}</code> ({job.job_id}) → <code>{_html(where)}</code>"
    lines = [f"<details><summary>{title}</summary>", ""]
    if job.note:
        lines += [job.note, ""]
    lines += [_change_line(c, options) for c in job.changes]
    lines += [f"- task added: {literal(t)}" for t in job.tasks_added]
    lines += [f"- task removed: {literal(t)}" for t in job.tasks_removed]
    lines += [_conflict_line(c, options) for c in job.conflicts]
    if job.kept:
        lines.append(f"- {job.kept} field(s) changed in the repository only: kept (a deploy "
                     "pushes them)")
    for source in job.sources:
        shared = (f" (also used by job {', '.join(map(str, source.shared_with))})"
                  if source.shared_with else "")
        lines.append(f"- source {literal(source.local)} {source.status}{shared}")
        if source.diff:
            lines += ["", fenced(options.redact(source.diff), "diff"), ""]
    if lines[-1] != "":
        lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def _change_line(change: FieldChange, options: RenderOptions) -> str:
    old, new = _value(change.old, change.path, options), _value(change.new, change.path, options)
    return f"- {literal(change.path)}: {old} → {new}"


def _conflict_line(conflict: FieldConflict, options: RenderOptions) -> str:
    repo = _value(conflict.repository, conflict.path, options)
    workspace = _value(conflict.workspace, conflict.path, options)
    reason = f" — {conflict.reason}" if conflict.reason else ""
    return (f"- **conflict** {literal(conflict.path)}: repository {repo} (kept) · "
            f"workspace {workspace}{reason}")


def _footer(report: BundleReport) -> str:
    lines = ["", "---", "",
             "How this works: each field and source is merged three ways — the workspace as "
             "dabgen last saw it (recorded in `.dabgen/`), the repository, the workspace now. "
             "A workspace-only change is adopted; a repository-only change is kept (a deploy "
             "pushes it); when both changed a field differently the repository's value is "
             "kept and listed as a conflict. See docs/sync.md."]
    if any("added" in j.kinds for j in report.jobs):
        lines += ["", "New jobs already exist in the workspace: bind each before the first "
                  "deploy (`databricks bundle deployment bind <key> <job id>`), or the deploy "
                  "creates a copy."]
    return "\n".join(lines) + "\n"


def _value(value: object, path: str, options: RenderOptions) -> str:
    if value is ABSENT:
        return "*(absent)*"
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    if options.sensitive(name) and value is not None:
        return literal(MASK)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           sort_keys=True)
    text = options.redact(text)
    if len(text) > VALUE_CHARS:
        text = text[: VALUE_CHARS - 1] + "…"
    return literal(text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _html(text: str) -> str:
    """Job text inside dabgen's HTML (`<summary>`): escaped, and no mention or reference."""
    return neutral(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_all(reports: Sequence[BundleReport], options: RenderOptions) -> str:
    """Every bundle's full report, for the workflow run's summary and the terminal."""
    return "\n\n".join(render_report(r, options, limit=10**9) for r in reports)
