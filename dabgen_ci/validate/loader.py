"""Load a bundle directory the way the Databricks CLI does, keeping every value's location.

``databricks.yml`` (or ``databricks.yaml``, ``bundle.yml``, ``bundle.yaml``) is read first;
its ``include`` globs are expanded relative to the bundle root, each sorted, in the order
listed; every file is merged into one configuration (``bundle/config/loader`` in
databricks/cli). Problems in the files are diagnostics, not exceptions, so one run reports
all of them; only a directory with no bundle at all is a :class:`BadInputError`.

Only files inside the bundle root are read (:func:`dabgen_ci.core.paths.confine`): an
``include`` that goes up (``../x/*.yml``) or matches a link leading out is reported
without being read, and without naming or quoting anything it found outside.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.paths import GOES_UP, PathRefused, confine, lexical_problem, tidy
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.located import Location, LocTree, flatten, merge
from dabgen_ci.validate.located import Path as YamlPath
from dabgen_ci.validate.targets import resolve_target, select_target
from dabgen_ci.validate.yamlnodes import parse_yaml

__all__ = ["ROOT_FILE_NAMES", "ConfigFile", "LoadedBundle", "load_bundle", "resolve_target",
           "select_target"]

ROOT_FILE_NAMES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
_CONFIG_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class ConfigFile:
    """One configuration file as written: its own values and locations."""

    path: str
    config: dict[str, Any]
    tree: LocTree | None


@dataclass(frozen=True)
class LoadedBundle:
    """All configuration files of a bundle and their merge (before any target is applied)."""

    root: Path
    files: tuple[ConfigFile, ...]
    config: dict[str, Any]
    tree: LocTree | None
    diagnostics: tuple[Diagnostic, ...] = ()
    locations: dict[str, Location] = field(default_factory=dict, repr=False)

    def locate(self, path: YamlPath) -> Location | None:
        """Location of a path in the merged configuration (nearest ancestor if unset)."""
        return self.tree.find(path) if self.tree else None


def load_bundle(root: Path) -> LoadedBundle:
    """Read, include and merge a bundle's configuration files."""
    root = Path(root)
    found = [name for name in ROOT_FILE_NAMES if os.path.lexists(root / name)]
    if not found:
        raise BadInputError(f"no databricks.yml in {root}; point at a bundle directory")
    diags: list[Diagnostic] = []
    if len(found) > 1:
        diags.append(_err(f"multiple bundle root files found ({', '.join(found)}); keep only "
                          "one", found[1], None))
    root_file = _read(root, found[0], diags)
    files = [root_file]
    files += [_read(root, rel, diags) for rel in _expand_includes(root, root_file, diags)]
    for extra in files[1:]:
        if extra.config.get("include"):
            loc = extra.tree.find(("include",)) if extra.tree else None
            diags.append(Diagnostic(
                "warning", "include is only honoured in databricks.yml; move it there",
                file=extra.path, line=loc.line if loc else None, path="include",
                source="loader"))
    diags.extend(_duplicate_resource_keys(files))
    config, tree = _merge_files(files, diags)
    locations = dict(flatten(tree)) if tree is not None else {}
    return LoadedBundle(root, tuple(files), config, tree, tuple(diags), locations)


def _read(root: Path, rel: str, diags: list[Diagnostic]) -> ConfigFile:
    try:
        path = confine(root, rel, what="bundle file", where="the bundle root")
    except PathRefused:
        diags.append(_err(f"{rel} is a symbolic link that leads outside the bundle root; "
                          "dabgen reads only files inside it", rel, None))
        return ConfigFile(rel, {}, None)
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        diags.append(_err(f"cannot read {rel}: {exc}", rel, None))
        return ConfigFile(rel, {}, None)
    value, tree, problems = parse_yaml(text, rel)
    diags.extend(problems)
    if value is None:
        return ConfigFile(rel, {}, None)
    if not isinstance(value, dict):
        diags.append(_err("the top level of a bundle file must be a mapping", rel, 1))
        return ConfigFile(rel, {}, None)
    return ConfigFile(rel, value, tree)


def _expand_includes(root: Path, root_file: ConfigFile, diags: list[Diagnostic]) -> list[str]:
    """Files matched by ``include`` in order: per entry sorted, first match wins."""
    entries = root_file.config.get("include") or []
    if not isinstance(entries, list):
        return []  # the schema check reports the wrong type
    seen = set(ROOT_FILE_NAMES)
    out: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            continue
        line = _line(root_file, ("include", index))
        if entry.startswith("/") or Path(entry).is_absolute():
            diags.append(_err(f"include {entry!r} must be a path relative to the bundle root",
                              root_file.path, line))
            continue
        if lexical_problem(tidy(entry), reserved=(), device_names=False) == GOES_UP:
            diags.append(_err(f"include {entry!r} reaches outside the bundle root; dabgen "
                              "reads only files inside it", root_file.path, line))
            continue
        matches, leaving = _glob_inside(root, entry)
        if leaving:
            diags.append(_err(f"include {entry!r} matches {leaving} symbolic link(s) leading "
                              "outside the bundle root; they are not read", root_file.path,
                              line))
        if not matches and not any(c in entry for c in "*?["):
            diags.append(_err(f"include {entry!r} does not match any file", root_file.path,
                              line))
        for rel in matches:
            if rel in seen:
                continue
            seen.add(rel)
            if not rel.endswith(_CONFIG_SUFFIXES):
                diags.append(_err(f"included file {rel} is not YAML or JSON; list files to "
                                  "sync under sync.include instead", root_file.path, line))
                continue
            out.append(rel)
    return out


def _glob_inside(root: Path, entry: str) -> tuple[list[str], int]:
    """Files ``entry`` matches inside the root (sorted), and how many matches lead out."""
    inside: list[str] = []
    leaving = 0
    for match in glob.glob(entry, root_dir=root, include_hidden=True):
        rel = match.replace("\\", "/")
        try:
            path = confine(root, rel, where="the bundle root")
        except PathRefused:
            leaving += 1
            continue
        if path.is_file():
            inside.append(rel)
    return sorted(inside), leaving


def _duplicate_resource_keys(files: Iterable[ConfigFile]) -> list[Diagnostic]:
    """A resource key may be defined once: in one file, under one resource type (CLI rule)."""
    first: dict[str, tuple[str, str, int | None]] = {}
    diags: list[Diagnostic] = []
    for f in files:
        resources = f.config.get("resources")
        if not isinstance(resources, dict):
            continue
        for rtype, group in resources.items():
            if not isinstance(group, dict):
                continue
            for key in group:
                line = _line(f, ("resources", rtype, key))
                if key not in first:
                    first[key] = (f.path, rtype, line)
                    continue
                ofile, otype, oline = first[key]
                diags.append(Diagnostic(
                    "error",
                    f"resource key {key!r} is already defined as {otype}.{key} in "
                    f"{ofile}:{oline}; resource keys must be unique across files and types",
                    file=f.path, line=line, path=format_path(("resources", rtype, key)),
                    source="loader"))
    return diags


def _merge_files(files: list[ConfigFile], diags: list[Diagnostic]
                 ) -> tuple[dict[str, Any], LocTree | None]:
    config: dict[str, Any] = {}
    tree: LocTree | None = None
    for f in files:
        try:
            config, tree = merge(config, f.config, tree, f.tree)
        except ValueError as exc:
            diags.append(_err(f"cannot merge {f.path} into the bundle: {exc}", f.path, None))
    return config, tree


def _line(f: ConfigFile, path: YamlPath) -> int | None:
    return f.tree.find(path).line if f.tree else None


def _err(summary: str, file: str | None, line: int | None) -> Diagnostic:
    return Diagnostic("error", summary, file=file, line=line, source="loader")
