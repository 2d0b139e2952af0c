"""Pick a target and apply its overrides, then substitute ``${var.*}`` (pure).

Mirrors databricks/cli ``Root.MergeTargetOverrides``: ``bundle``, ``workspace``,
``artifacts``, ``resources``, ``sync``, ``permissions`` and ``presets`` merge (maps merge,
sequences concatenate); ``variables`` override defaults/lookups; ``run_as``, ``mode``,
``cluster_id`` replace. Then job tasks, job clusters, job parameters and pipeline clusters
that share a key are merged into one (``resourcemutator.MergeJobTasks`` and friends). Unlike
the CLI, merged tasks keep their written order instead of being sorted by key, so the result
lines up with the job settings it came from.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import regex

from dabgen_ci.core.json_types import JsonObject
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.located import LocTree, Path, merge, merge_elements_by_key
from dabgen_ci.validate.refs import REFERENCE, is_pure_reference, split_reference

_MERGED_FIELDS = ("bundle", "workspace", "artifacts", "resources", "sync", "permissions",
                  "presets")
_FULL_VARIABLE_DEFS = ({"default", "type", "description"}, {"default", "type"},
                       {"default", "description"}, {"lookup", "description"}, {"default"},
                       {"lookup"})
_KEYED_LISTS = (
    ("jobs", (("tasks", "task_key"), ("job_clusters", "job_cluster_key"), ("parameters", "name"))),
    ("pipelines", (("clusters", "label"),)),
)
_MAX_VARIABLE_DEPTH = 10


def select_target(config: dict[str, Any], target: str | None) -> str | None:
    """The target to use: the one named, else the only one, else the ``default: true`` one."""
    raw = config.get("targets")
    targets: JsonObject = raw if isinstance(raw, dict) else {}
    if target is not None:
        if target not in targets:
            available = ", ".join(sorted(targets)) or "none"
            raise BadInputError(f"{target}: no such target; available targets: {available}")
        return target
    if not targets:
        return None
    if len(targets) == 1:
        return next(iter(targets))
    defaults = [n for n, t in targets.items() if isinstance(t, dict) and t.get("default") is True]
    if len(defaults) > 1:
        raise BadInputError(f"multiple targets are marked as default ({', '.join(defaults)}); "
                            "keep default: true on one")
    if not defaults:
        raise BadInputError("no target is marked default: true; pass a target explicitly")
    return defaults[0]


def resolve_target(config: dict[str, Any], target: str | None) -> dict[str, Any]:
    """The configuration a deploy of ``target`` would use, with ``${var.*}`` substituted."""
    return resolve_target_located(config, None, target)[0]


def resolve_target_located(config: dict[str, Any], tree: LocTree | None, target: str | None,
                           *, share: bool = False) -> tuple[dict[str, Any], LocTree | None]:
    """:func:`resolve_target` that also carries the location tree along (``share``: see
    :func:`substitute_variables`)."""
    name = select_target(config, target)
    merged, tree = merge_target(config, tree, name)
    return substitute_variables(merged, share=share), tree


def merge_target(config: dict[str, Any], tree: LocTree | None, name: str | None
                 ) -> tuple[dict[str, Any], LocTree | None]:
    out = {k: v for k, v in config.items() if k not in ("targets", "environments")}
    kids = dict(tree.children) if tree and isinstance(tree.children, dict) else {}
    targets = config.get("targets")
    override = targets.get(name) if name and isinstance(targets, dict) else None
    override = override if isinstance(override, dict) else {}
    o_kids = _children(tree, ("targets", name)) if tree and name else {}
    for key in _MERGED_FIELDS:
        if key in override:
            try:
                out[key], t = merge(out.get(key), override[key], kids.get(key), o_kids.get(key))
            except ValueError as exc:
                raise BadInputError(f"target {name!r} cannot be applied: {key}: {exc}") from None
            _set_kid(kids, key, t)
    if isinstance(override.get("variables"), dict):
        out["variables"] = _override_variables(out.get("variables"), override["variables"])
    if "run_as" in override:
        out["run_as"] = override["run_as"]
        _set_kid(kids, "run_as", o_kids.get("run_as"))
    bundle = dict(out["bundle"]) if isinstance(out.get("bundle"), dict) else {}
    for key in ("mode", "cluster_id"):
        if key in override:
            bundle[key] = override[key]
    if isinstance(override.get("git"), dict):
        git = bundle.get("git")
        bundle["git"] = {**(git if isinstance(git, dict) else {}), **override["git"]}
    if name is not None:
        bundle["target"] = name
    out["bundle"] = bundle
    out["resources"], kids_resources = _merge_keyed(out.get("resources"), kids.get("resources"))
    if out["resources"] is None:
        del out["resources"]
    _set_kid(kids, "resources", kids_resources)
    return out, (LocTree(tree.loc, kids) if tree else None)


def _merge_keyed(resources: Any, tree: LocTree | None) -> tuple[Any, LocTree | None]:
    """Merge list elements sharing a key (tasks by task_key, ...) in every job/pipeline."""
    if not isinstance(resources, dict):
        return resources, tree
    out = dict(resources)
    r_kids = _children(tree, ())
    for rtype, fields in _KEYED_LISTS:
        group = out.get(rtype)
        if not isinstance(group, dict):
            continue
        group = dict(group)
        g_kids = _children(tree, (rtype,))
        for rkey, res in group.items():
            if isinstance(res, dict):
                res_kids = _children(tree, (rtype, rkey))
                group[rkey] = _merge_resource_lists(res, res_kids, fields)
                if rkey in g_kids:
                    g_kids[rkey] = LocTree(g_kids[rkey].loc, res_kids)
        out[rtype] = group
        if rtype in r_kids:
            r_kids[rtype] = LocTree(r_kids[rtype].loc, g_kids)
    return out, (LocTree(tree.loc, r_kids) if tree else None)


def _merge_resource_lists(res: dict[str, Any], kids: dict[str, LocTree],
                          fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """One resource with its keyed lists merged; ``kids`` is updated in place."""
    res = dict(res)
    for field, key in fields:
        items = res.get(field)
        if not isinstance(items, list):
            continue
        if field == "clusters":  # pipeline clusters without a label are the "default" one
            items = [{**c, "label": c.get("label") or "default"} if isinstance(c, dict) else c
                     for c in items]
        res[field], merged_tree = merge_elements_by_key(items, kids.get(field), key)
        if merged_tree is not None:
            kids[field] = merged_tree
    return res


def _override_variables(root_vars: Any, target_vars: dict[str, Any]) -> dict[str, Any]:
    root_vars = root_vars if isinstance(root_vars, dict) else {}
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in root_vars.items()}
    for name, value in target_vars.items():
        var = out.setdefault(name, {})
        if not isinstance(var, dict):
            var = out[name] = {}
        if isinstance(value, dict) and set(value) in _FULL_VARIABLE_DEFS:
            if "default" in value:
                var["default"] = value["default"]
                var.pop("lookup", None)
            if "lookup" in value:
                var["lookup"] = value["lookup"]
                var.pop("default", None)
        else:
            var["default"] = value
            var.pop("lookup", None)
    return out


def substitute_variables(config: dict[str, Any], *, share: bool = False) -> dict[str, Any]:
    """Replace resolvable ``${var.*}`` references; unresolvable ones stay as written.

    With ``share`` the result reuses every map and list of ``config`` that holds no
    reference, so the caller must treat it as read-only."""
    raw = config.get("variables")
    raw = raw if isinstance(raw, dict) else {}
    values = {k: v["default"] for k, v in raw.items() if isinstance(v, dict) and "default" in v}
    for _ in range(_MAX_VARIABLE_DEPTH):
        resolved = {k: _substitute(v, values) for k, v in values.items()}
        if resolved == values:
            break
        values = resolved
    resolved_config: JsonObject = _substitute(config, values, share)  # a map stays a map
    return resolved_config


def _substitute(value: Any, variables: dict[str, Any], share: bool = False) -> Any:
    """``value`` with references substituted; with ``share``, maps and lists in which
    nothing changed are the input's own (no copy of a 10,000-job configuration)."""
    if isinstance(value, dict):
        if share:
            return _shared(value, value.items(), variables)
        return {k: _substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        if share:
            return _shared(value, enumerate(value), variables)
        return [_substitute(v, variables) for v in value]
    if not isinstance(value, str) or "${var." not in value:
        return value
    if is_pure_reference(value):
        found, ok = _lookup(value[2:-1], variables)
        return copy.deepcopy(found) if ok else value

    def repl(m: regex.Match[str]) -> str:
        found, ok = _lookup(m.group(1), variables)
        if not ok or isinstance(found, dict | list):
            return m.group(0)
        return found if isinstance(found, str) else json.dumps(found)

    return REFERENCE.sub(repl, value)


def _shared(value: Any, items: Any, variables: dict[str, Any]) -> Any:
    out = None
    for key, child in items:
        new = _substitute(child, variables, share=True)
        if new is not child:
            if out is None:
                out = dict(value) if isinstance(value, dict) else list(value)
            out[key] = new
    return value if out is None else out


def _lookup(ref: str, variables: dict[str, Any]) -> tuple[Any, bool]:
    parts = split_reference(ref)
    if len(parts) < 2 or parts[0] != "var" or parts[1] not in variables:
        return None, False
    value = variables[parts[1]]
    for part in parts[2:]:
        in_list = isinstance(part, int) and isinstance(value, list) and part < len(value)
        in_map = isinstance(part, str) and isinstance(value, dict) and part in value
        if not (in_list or in_map):
            return None, False
        value = value[part]
    return value, True


def _children(tree: LocTree | None, path: Path) -> dict[str, LocTree]:
    node = tree
    for part in path:
        node = node.child(part) if node else None
    return dict(node.children) if node and isinstance(node.children, dict) else {}


def _set_kid(kids: dict[str, LocTree], key: str, tree: LocTree | None) -> None:
    if tree is not None:
        kids[key] = tree
