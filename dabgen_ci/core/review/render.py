"""The review as GitHub shows it: review body, inline comments, annotations (pure).

Bot-owned text carries hidden markers so the next run finds it again instead of adding more:
``<!-- dabgen:review head=<sha> -->`` on the review, ``<!-- dabgen:finding id=<fp> -->`` on
each inline comment (``fp`` is the finding's fingerprint, stable while the finding only
moves). Text from the bundle or the workspace (job names, values) reaches GitHub only inside
code spans or escaped, so it cannot mention people, close issues or inject HTML.
"""

from __future__ import annotations

import json
import re

from dabgen_ci.core.bot.markdown import inert, inert_quoting, literal, neutral
from dabgen_ci.core.bundle.roundtrip import ABSENT
from dabgen_ci.core.diagnostics import count
from dabgen_ci.core.review.findings import CATEGORIES, Finding
from dabgen_ci.core.review.plan import CHANGE_KINDS, FieldChange, JobChange
from dabgen_ci.core.review.report import BundleReview, Review

REVIEW_MARKER_PREFIX = "<!-- dabgen:review"
FINDING_MARKER = re.compile(r"<!-- dabgen:finding id=([0-9a-f]{16})( resolved)? -->")
ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
VALUE_LIMIT = 120
MAX_CHANGES_SHOWN = 50
MAX_BODY_FINDINGS = 100


def review_marker(head: str) -> str:
    return f"{REVIEW_MARKER_PREFIX} head={head or 'worktree'} -->"


def superseded_body(old_head: str, new_url: str, new_head: str) -> str:
    """A replaced review, reduced to a pointer to the one that replaced it."""
    sha = new_head[:10]
    link = f"[the review of `{sha}`]({new_url})" if new_url else f"the review of `{sha}`"
    return (f"{REVIEW_MARKER_PREFIX} head={old_head or 'unknown'} superseded -->\n"
            f"_Superseded by {link}._\n")


def finding_marker(finding: Finding, *, resolved: bool = False) -> str:
    return f"<!-- dabgen:finding id={finding.fingerprint}{' resolved' if resolved else ''} -->"


def plain(text: str) -> str:
    """Text from a job, a bundle or a validator as inert Markdown prose (one shared rule:
    :mod:`dabgen_ci.core.bot.markdown`)."""
    return inert(text, 300)


def cell(text: str) -> str:
    """A table cell: GFM splits cells at `|`, even inside code spans, unless escaped."""
    return text.replace("|", "\\|")


def value(v: object) -> str:
    if v is ABSENT:
        return "_unset_"
    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
    if len(text) > VALUE_LIMIT:
        text = text[: VALUE_LIMIT - 1] + "…"
    return literal(text, VALUE_LIMIT + 10)


def deletion_sentence(job: JobChange, *, markdown: bool = True) -> str:
    """The sentence reviewers must not miss (bold in the body, plain in annotations)."""
    name, key = (plain(job.name), literal(job.key)) if markdown else (job.name, job.key)
    what = f"job {job.job_id} ({name})" if job.job_id else f"the job of {key}"
    return f"deploying this deletes {what} from the workspace"


def message(finding: Finding) -> str:
    """Lint messages quote values in code spans already; validator messages are escaped."""
    return finding.message if finding.is_lint else plain(finding.message)


def verdict(review: Review) -> str:
    errors, warnings = review.count("error"), review.count("warning")
    icon = "❌" if review.failed else ("⚠️" if errors or warnings else "✅")
    state = "fails" if review.failed else "passes"
    return (f"{icon} dabgen review {state}: {errors} error(s), {warnings} warning(s) "
            f"(fail-on: {review.fail_on})")


def review_body(review: Review, run_url: str | None = None) -> str:
    """Summary table, findings that are not inline, the deploy plans, the model's summary."""
    inline, rest = review.split()
    parts = [review_marker(review.head), f"### {verdict(review)}", summary_table(review)]
    where = f" · [workflow run]({run_url})" if run_url else ""
    parts.append(f"{len(inline)} finding(s) are inline comments on the changed lines; "
                 f"{len(rest)} are listed below{where}.")
    if rest:
        shown = rest[:MAX_BODY_FINDINGS]
        more = len(rest) - len(shown)
        parts.append("#### Findings\n\n" + "\n".join(map(finding_line, shown))
                     + (f"\n- … and {more} more (see the job summary)" if more else ""))
    parts += [plan_section(b) for b in review.bundles]
    if review.risk_summary:
        parts.append(risk_section(review.risk_summary))
    parts.append("<sub>Silence a lint rule with `# dabgen: ignore DAB00N` on its line or "
                 "`review.ignore: [DAB00N]` in `.dabgen.yml` on the default branch.</sub>")
    return "\n\n".join(parts) + "\n"


def summary_table(review: Review) -> str:
    rows = ["| check | errors | warnings | notes |", "|---|---|---|---|"]
    skipped = {k: v for b in review.bundles for k, v in b.validators_skipped.items()}
    for category in CATEGORIES:
        found = [f for f in review.findings if f.category == category]
        errors, warnings = count(found), count(found, "warning")
        note = ""
        if category == "Databricks CLI" and "databricks-cli" in skipped:
            note = "skipped: " + plain(skipped["databricks-cli"])
        rows.append(f"| {category} | {errors} | {warnings} | {note} |")
    for bundle in review.bundles:
        plan = bundle.plan
        note = ("skipped: " + plain(plan.skipped)) if plan.skipped else ", ".join(
            f"{len(plan.of_kind(k))} {k}" for k in CHANGE_KINDS)
        rows.append(f"| Deploy plan `{cell(bundle.root)}` → `{cell(plan.target)}` | | | "
                    f"{note} |")
    return "\n".join(rows)


def finding_line(finding: Finding) -> str:
    where = ""
    if finding.file:
        where = literal(f"{finding.file}:{finding.line}" if finding.line else finding.file)
        where = f" {where}"
    hint = f" — _fix:_ {finding.hint}" if finding.hint else ""
    icon = ICONS.get(finding.severity, "")
    return f"- {icon} **{finding.rule}**{where}: {message(finding)}{hint}"


def plan_section(bundle: BundleReview) -> str:
    plan = bundle.plan
    head = f"#### Deploy plan for `{bundle.root}/` → target `{plan.target}`"
    if plan.skipped:
        return f"{head}\n\nSkipped: {plain(plan.skipped)}."
    state = f"\n\nDeployment state: {inert_quoting(plan.state, 600)}." if plan.state else ""
    if not plan.jobs:
        return f"{head}{state}\n\nNo job resources: a deploy changes no job."
    lines = [head + state, ""]
    lines += [f"**{deletion_sentence(j)}**" + (f" ({inert_quoting(j.note, 600)})" if j.note else "")
              for j in plan.of_kind("delete")]
    lines += ["", "| job | change | detail |", "|---|---|---|"]
    lines += [_plan_row(j) for j in plan.jobs]
    details = [_changes_details(j) for j in plan.jobs if j.kind != "delete" and j.changes]
    return "\n".join(lines) + ("\n\n" + "\n\n".join(details) if details else "")


def _plan_row(job: JobChange) -> str:
    ident = literal(job.key) + (f" (job {job.job_id})" if job.job_id else "")
    if job.kind == "update":
        edits = sum(c.ui_edit for c in job.changes)
        detail = f"{len(job.changes)} field(s)" if job.changes else "no change"
        if edits:
            detail += f", ⚠️ overwrites {edits} UI edit(s) made since the last sync"
        if job.note:
            detail += f" ({inert_quoting(job.note, 600)})"
        return f"| {cell(ident)} | update | {cell(detail)} |"
    if job.kind == "create":
        note = inert_quoting(job.note, 600) if job.note else (
            "new job (no `# dabgen: job <id>` header: if it is bound to a job already, the "
            "deploy updates that job instead)")
        return f"| {cell(ident)} | create | {cell(note)} |"
    return f"| {cell(ident)} | **delete** | {cell(plain(job.name))} |"


def _changes_details(job: JobChange) -> str:
    rows = ["| field | workspace now | after deploy |", "|---|---|---|"]
    for change in job.changes[:MAX_CHANGES_SHOWN]:
        rows.append(_change_row(change))
    if len(job.changes) > MAX_CHANGES_SHOWN:
        rows.append(f"| … {len(job.changes) - MAX_CHANGES_SHOWN} more | | |")
    title = f"{job.key} (job {job.job_id}): {len(job.changes)} field(s) change"
    if job.kind == "create":
        title = f"{job.key}: once bound to job {job.job_id}, {len(job.changes)} field(s) change"
    return (f"<details><summary>{_html(title)}</summary>\n\n" + "\n".join(rows)
            + "\n\n</details>")


def _change_row(change: FieldChange) -> str:
    flag = " ⚠️ UI edit since the last sync" if change.ui_edit else ""
    return (f"| {cell(literal(change.path))}{flag} | {cell(value(change.old))} | "
            f"{cell(value(change.new))} |")


def risk_section(text: str) -> str:
    quoted = "\n".join("> " + neutral(line, 2000) if line.strip() else ">"
                       for line in text.strip().splitlines())
    return ("#### 🤖 Risk summary (written by a model — the findings above are the record)"
            f"\n\n{quoted}")


def comment_body(finding: Finding) -> str:
    """An inline comment for ``finding``, found again by its marker on the next run."""
    lines = [finding_marker(finding),
             f"{ICONS.get(finding.severity, '')} **{finding.rule}** {message(finding)}"]
    if finding.hint:
        lines += ["", f"**Fix:** {finding.hint}"]
    if finding.is_lint:
        lines += ["", f"<sub>Silence: `# dabgen: ignore {finding.rule}` on this line, or "
                      f"`review.ignore: [{finding.rule}]` in `.dabgen.yml`.</sub>"]
    return "\n".join(lines) + "\n"


def resolved_body(finding_text: str, fingerprint: str, head: str) -> str:
    """An inline comment whose finding is gone at ``head``: struck through, kept as a record."""
    first = next((ln for ln in finding_text.splitlines()[1:] if ln.strip()), "finding")
    return (f"<!-- dabgen:finding id={fingerprint} resolved -->\n"
            f"✅ **Resolved** at `{head[:10]}`: ~~{first.strip()}~~\n")


def annotation(finding: Finding) -> str:
    """A GitHub workflow command that puts ``finding`` on the file in the run's summary."""
    kind = {"error": "error", "warning": "warning"}.get(finding.severity, "notice")
    props = [f"title={_prop(finding.rule)}"]
    if finding.file:
        props.insert(0, f"file={_prop(finding.file)}")
        if finding.line:
            props.insert(1, f"line={finding.line}")
    hint = f" — fix: {finding.hint}" if finding.hint else ""
    return f"::{kind} {','.join(props)}::{_data(finding.message + hint)}"


def review_annotations(review: Review) -> list[str]:
    """Every finding, and every job a deploy would delete, as workflow commands."""
    lines = [annotation(f) for f in review.findings]
    return lines + [deletion_annotation(j) for b in review.bundles
                    for j in b.plan.of_kind("delete")]


def deletion_annotation(job: JobChange) -> str:
    sentence = deletion_sentence(job, markdown=False)
    return f"::warning file={_prop(job.file)},title=deploy plan::{_data(sentence)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _html(text: str) -> str:
    return neutral(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
