"""The lint rules' registry: id, severity, one-line fix hint; running them; silencing.

Two ways to silence a rule, both visible in review: ``review.ignore: [DAB003]`` in
``.dabgen.yml`` (read from the base branch, so a pull request cannot silence its own
review), and a ``# dabgen: ignore DAB003`` comment on the line of the finding — or alone on
the line above it, for lines that cannot carry a comment of their own. Several ids may be
listed, separated by spaces or commas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from dabgen_ci.core.diagnostics import Severity
from dabgen_ci.core.review import rules
from dabgen_ci.core.review.facts import BundleFacts, RemovedJob
from dabgen_ci.core.review.findings import Finding
from dabgen_ci.core.review.rules import Hit, LintOptions

_IGNORE = re.compile(r"#\s*dabgen:\s*ignore\s+((?:DAB\d{3}\b[\s,]*)+)", re.IGNORECASE)
_RULE_ID = re.compile(r"DAB\d{3}", re.IGNORECASE)

Check = Callable[[BundleFacts, LintOptions], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    hint: str
    check: Check


RULES = (
    Rule("DAB001", "warning", "hard-coded compute id",
         "declare a variable and use `${var.<name>}` (or comment `/dabgen var <name>=<id>`), "
         "so each target can point at its own", rules.hard_coded_ids),
    Rule("DAB002", "warning", "no production target",
         "add a `prod` target with `mode: production` and a `workspace.root_path`",
         rules.prod_target),
    Rule("DAB003", "warning", "all-purpose cluster",
         "run the task on a job cluster (`job_clusters` + `job_cluster_key`) or serverless "
         "compute: all-purpose clusters cost more and are shared", rules.all_purpose_clusters),
    Rule("DAB004", "warning", "no failure notification",
         "add `email_notifications: {on_failure: [team@example.com]}` (or "
         "`webhook_notifications.on_failure`) to the job", rules.failure_notifications),
    Rule("DAB005", "warning", "unpaused in dev",
         "drop `pause_status: UNPAUSED` from the resource (development mode then pauses it; "
         "production keeps the API default, UNPAUSED) or set it to PAUSED under `targets.dev`",
         rules.unpaused_in_dev),
    Rule("DAB006", "warning", "end-of-support runtime",
         "move the cluster to a supported LTS runtime such as `16.4.x-scala2.12`",
         rules.end_of_support_runtimes),
    Rule("DAB007", "warning", "no run_as in prod",
         "add `run_as: {service_principal_name: <application id>}` to the `prod` target",
         rules.run_as_in_prod),
    Rule("DAB008", "error", "missing source file",
         "add the file to the bundle (under `src/`) or fix the path; it is relative to the "
         "YAML file that names it", rules.missing_sources),
    Rule("DAB009", "warning", "resource removed",
         "if the job should go, set `remove_deleted: true` in the bundle's `sync:` options of "
         "`.dabgen.yml` on the default branch; otherwise restore the resource",
         rules.removed_without_intent),
)
RULE_IDS = tuple(rule.id for rule in RULES)


def lint(facts: BundleFacts, options: LintOptions, ignore: Iterable[str] = ()) -> list[Finding]:
    """Every rule's findings for one bundle (files relative to its root), minus the silenced."""
    skipped = {rule_id.upper() for rule_id in ignore}
    comments = {name: ignored_lines(text) for name, text in facts.texts.items()}
    seen: set[tuple[str, str | None, int | None, str]] = set()
    found: list[Finding] = []
    for rule in RULES:
        if rule.id in skipped:
            continue
        for hit in rule.check(facts, options):
            key = (rule.id, hit.file, hit.line, hit.message)
            if key in seen or _silenced(comments, hit, rule.id):
                continue
            seen.add(key)
            found.append(Finding(rule.id, rule.severity, hit.message, rule.hint, hit.file,
                                 hit.line, hit.path))
    return found


def removal_findings(removed: tuple[RemovedJob, ...], options: LintOptions,
                     ignore: Iterable[str] = ()) -> list[Finding]:
    """DAB009 alone, for a change that deletes a whole bundle (nothing else left to lint)."""
    facts = BundleFacts({}, {}, (), frozenset(), removed=removed)
    rule = next(r for r in RULES if r.id == "DAB009")
    if rule.id in {i.upper() for i in ignore}:
        return []
    return [Finding(rule.id, rule.severity, hit.message, rule.hint, hit.file, hit.line,
                    hit.path) for hit in rule.check(facts, options)]


def ignored_lines(text: str) -> dict[int, frozenset[str]]:
    """Line number → rule ids a ``# dabgen: ignore`` comment silences there.

    A comment after code silences its own line; a comment alone on a line silences that
    line and the next one.
    """
    silenced: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _IGNORE.search(line)
        if not match:
            continue
        ids = frozenset(i.upper() for i in _RULE_ID.findall(match.group(1)))
        lines = (number, number + 1) if line.lstrip().startswith("#") else (number,)
        for at in lines:
            silenced[at] = silenced.get(at, frozenset()) | ids
    return silenced


def _silenced(comments: Mapping[str, Mapping[int, frozenset[str]]], hit: Hit,
              rule_id: str) -> bool:
    if hit.file is None or hit.line is None:
        return False
    return rule_id in comments.get(hit.file, {}).get(hit.line, frozenset())
