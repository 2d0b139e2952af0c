"""The commented starter ``.dabgen.yml`` that ``dabgen init`` writes (pure: values in, text out).

Every field a team needs on day one is present with a comment saying what it does; the
selectors come from the command line. Strings are written as JSON strings (valid YAML,
never misread as another type), so a glob like ``*`` or a tag value like ``no`` stays what
was typed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from dabgen_ci.config.bundles import default_name


def starter_config(*, ids: Sequence[int] = (), names: Sequence[str] = (),
                   tags: Sequence[tuple[str, str]] = (), paths: Sequence[str] = (),
                   bundle_dir: str = "bundle", bundle_name: str | None = None) -> str:
    name = bundle_name or default_name(bundle_dir)
    selectors = _selectors(ids, names, tags)
    lines = [
        "# dabgen configuration: which Databricks jobs this repository manages, and how.",
        "# Check it with `dabgen config check`. Reference: docs/sync.md.",
        "version: 1",
        "",
        "# The bundle: its folder (relative to the repository root) and its name.",
        f"bundle_dir: {_string(bundle_dir)}",
        f"bundle_name: {_string(name)}",
        "",
        "# Which jobs `dabgen sync` keeps in step with the workspace. `ids` are always",
        "# managed; otherwise a job must match one of `names` (case-insensitive globs), carry",
        "# every tag in `tags` (values may be globs) and, with `paths`, run code from below",
        "# one of those workspace folders. Jobs already in the bundle stay managed.",
        *selectors,
    ]
    if paths:
        lines += ["paths:", *(f"  - {_string(p)}" for p in paths)]
    else:
        lines.append("# paths: [/Workspace/Shared/sales]")
    lines += [
        "",
        "# What `dabgen sync` may do to the repository.",
        "sync:",
        "  # true: a job deleted in the workspace loses its resource (the next deploy then",
        "  # deletes the job). false: it is reported and its resource stays.",
        "  remove_deleted: false",
        "  # Bundle files sync never writes or deletes, e.g. \"src/scratch/*\".",
        "  exclude: []",
        "",
        "# Minimum repository permission for each `/dabgen` command group.",
        "permissions:",
        "  generate: write",
        "  refine: write",
        "  validate: write",
        "  sync: write",
        "",
        "# `databricks bundle validate` as well as the offline checks: auto | always | never.",
        "validation:",
        "  cli: auto",
        "",
        "# Several bundles instead of one? Replace bundle_dir, bundle_name, jobs, paths and",
        "# sync with a list (each bundle gets its own branch dabgen/sync-<name>):",
        "# bundles:",
        "#   - dir: bundles/sales",
        "#     name: sales",
        "#     jobs: {tags: {team: sales}}",
        "#   - dir: bundles/ml",
        "#     name: ml",
        "#     jobs: {names: [\"Churn*\"]}",
        "#     sync: {remove_deleted: true}",
    ]
    return "\n".join(lines) + "\n"


def _selectors(ids: Sequence[int], names: Sequence[str],
               tags: Sequence[tuple[str, str]]) -> list[str]:
    lines = ["jobs:"]
    lines.append(f"  ids: [{', '.join(str(i) for i in ids)}]" if ids else "  ids: []")
    lines.append(f"  names: [{', '.join(_string(n) for n in names)}]" if names
                 else "  # names: [\"Nightly*\"]")
    if tags:
        lines.append("  tags:")
        lines += [f"    {_string(k)}: {_string(v)}" for k, v in tags]
    else:
        lines.append("  # tags: {team: sales}")
    return lines


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
