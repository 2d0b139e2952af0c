"""The review as plain text for a terminal (`dabgen review` without `--json`). Pure."""

from __future__ import annotations

from dabgen_ci.core.review.plan import DeployPlan, FieldChange
from dabgen_ci.core.review.render import deletion_sentence, value
from dabgen_ci.core.review.report import Review

MAX_CHANGES = 30


def review_text(review: Review) -> str:
    lines = [f"review of {review.head[:10] or 'the work tree'} against {review.base}"]
    if not review.bundles:
        lines.append("no bundle changed")
    for bundle in review.bundles:
        lines.append("")
        gone = " (removed by the change)" if bundle.removed else ""
        lines.append(f"bundle {bundle.root}/{gone}")
        lines += [f"  {f.render()}" + (f"\n      fix: {f.hint}" if f.hint else "")
                  for f in bundle.findings]
        lines += _plan_lines(bundle.plan)
        for name, reason in bundle.validators_skipped.items():
            lines.append(f"  skipped {name}: {reason}")
    if review.risk_summary:
        lines += ["", "risk summary (written by a model):", review.risk_summary]
    errors, warnings = review.count("error"), review.count("warning")
    verdict = "FAILED" if review.failed else "OK"
    lines += ["", f"{verdict}: {errors} error(s), {warnings} warning(s) "
                  f"(fail-on: {review.fail_on})"]
    return "\n".join(lines)


def _plan_lines(plan: DeployPlan) -> list[str]:
    head = f"  deploy plan → {plan.target}:"
    if plan.skipped:
        return [f"{head} skipped: {plan.skipped}"]
    lines = [head + ("" if plan.jobs else " no job resources")]
    if plan.state:
        lines.append(f"    (deployment state: {plan.state})")
    for job in plan.jobs:
        ident = f"{job.key}" + (f" (job {job.job_id})" if job.job_id else "")
        if job.kind == "delete":
            lines.append(f"    DELETE {ident}: {deletion_sentence(job, markdown=False)}")
        elif job.kind == "create":
            lines.append(f"    create {ident}" + (f": {job.note}" if job.note else ""))
            lines += [_change(c) for c in job.changes[:MAX_CHANGES]]
        else:
            note = f" ({job.note})" if job.note else ""
            lines.append(f"    update {ident}: {len(job.changes)} field(s){note}")
            lines += [_change(c) for c in job.changes[:MAX_CHANGES]]
    return lines


def _change(change: FieldChange) -> str:
    flag = "  [UI edit since the last sync]" if change.ui_edit else ""
    return f"      {change.path}: {value(change.old)} → {value(change.new)}{flag}"
