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

import functools
import glob
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dabgen_ci.core.bundle.tree import format_path
from dabgen_ci.core.diagnostics import Diagnostic
from dabgen_ci.core.paths import GOES_UP, PathRefused, confine, lexical_problem, tidy
from dabgen_ci.errors import BadInputError
from dabgen_ci.validate.located import LazyLocTree, Location, LocTree, flatten, merge_all
from dabgen_ci.validate.located import Path as YamlPath
from dabgen_ci.validate.targets import resolve_target, resolve_target_located, select_target
from dabgen_ci.validate.yamlnodes import parse_yaml

__all__ = ["ROOT_FILE_NAMES", "ConfigFile", "LoadedBundle", "ParsedFiles", "load_bundle",
           "parse_file", "resolve_target", "select_target"]

ROOT_FILE_NAMES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
_CONFIG_SUFFIXES = (".yml", ".yaml", ".json")


@dataclass(frozen=True)
class ConfigFile:
    """One configuration file as written: its own values and locations."""

    path: str
    config: dict[str, Any]
    tree: LocTree | None
    # The bytes read (None: the file could not be read), so no later check reads it again.
    data: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class LoadedBundle:
    """All configuration files of a bundle and their merge (before any target is applied)."""

    root: Path
    files: tuple[ConfigFile, ...]
    config: dict[str, Any]
    tree: LocTree | None
    diagnostics: tuple[Diagnostic, ...] = ()
    _resolved: dict[str | None, tuple[dict[str, Any], LocTree | None]] = field(
        default_factory=dict, repr=False, compare=False)

    def resolved(self, target: str | None) -> tuple[dict[str, Any], LocTree | None]:
        """The configuration a deploy of ``target`` would use, with its locations; worked
        out once per target (the rules and the round-trip check both need it). It shares
        unchanged maps with :attr:`config`: callers must not modify it."""
        name = select_target(self.config, target)
        if name not in self._resolved:
            resolved = resolve_target_located(self.config, None, name, share=True)[0]
            tree = self.tree
            located = None if tree is None else LazyLocTree(
                lambda: resolve_target_located(self.config, tree, name)[1])
            self._resolved[name] = (resolved, located)
        return self._resolved[name]

    def file_of(self, target: str | None) -> Callable[[YamlPath], str | None]:
        """Which file wrote a value of the resolved ``target``, where that is clear without
        the location tree: a value inside a resource defined in one file only and left
        alone by the target's overrides. ``None`` otherwise (ask :meth:`resolved`'s tree)."""
        name = select_target(self.config, target)
        owners: dict[tuple[str, str], list[str]] = {}
        overridden: set[tuple[str, str]] = set()
        for f in self.files:
            for rtype, key in _resource_keys(f.config.get("resources")):
                owners.setdefault((rtype, key), []).append(f.path)
            targets = f.config.get("targets")
            section = targets.get(name) if isinstance(targets, dict) and name else None
            if isinstance(section, dict):
                overridden.update(_resource_keys(section.get("resources")))

        def written_in(path: YamlPath) -> str | None:
            if len(path) < 3 or path[0] != "resources":
                return None
            key = (str(path[1]), str(path[2]))
            found = owners.get(key)
            return found[0] if found and len(found) == 1 and key not in overridden else None

        return written_in

    @functools.cached_property
    def locations(self) -> dict[str, Location]:
        """Every path's location, flattened (built on first use: few callers need it)."""
        return dict(flatten(self.tree)) if self.tree is not None else {}

    def locate(self, path: YamlPath) -> Location | None:
        """Location of a path in the merged configuration (nearest ancestor if unset)."""
        return self.tree.find(path) if self.tree else None


def load_bundle(root: Path, contents: Mapping[str, bytes] | None = None,
                parsed: ParsedFiles | None = None) -> LoadedBundle:
    """Read, include and merge a bundle's configuration files.

    ``contents`` (bundle-relative POSIX path → bytes) holds files the caller has just
    written there, which are then not read back from disk; ``parsed`` those of them it
    has parsed already.
    """
    root = Path(root)
    contents = contents or {}
    found = [name for name in ROOT_FILE_NAMES if os.path.lexists(root / name)]
    if not found:
        raise BadInputError(f"no databricks.yml in {root}; point at a bundle directory")
    diags: list[Diagnostic] = []
    if len(found) > 1:
        diags.append(_err(f"multiple bundle root files found ({', '.join(found)}); keep only "
                          "one", found[1], None))
    root_file = _read(root, found[0], diags, contents, parsed)
    files = [root_file]
    files += [_read(root, rel, diags, contents, parsed, confined)
              for rel, confined in _expand_includes(root, root_file, diags, contents)]
    for extra in files[1:]:
        if extra.config.get("include"):
            loc = extra.tree.find(("include",)) if extra.tree else None
            diags.append(Diagnostic(
                "warning", "include is only honoured in databricks.yml; move it there",
                file=extra.path, line=loc.line if loc else None, path="include",
                source="loader"))
    diags.extend(_duplicate_resource_keys(files))
    config, tree = _merge_files(files, diags)
    return LoadedBundle(root, tuple(files), config, tree, tuple(diags))


class ParsedFiles:
    """Configuration files parsed ahead of :func:`load_bundle` — while the rest of the
    bundle was still being produced — keyed by path and valid for those exact bytes."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, ConfigFile, tuple[Diagnostic, ...]]] = {}

    def add(self, rel: str, data: bytes, value: dict[str, Any] | None = None) -> None:
        """``value``: what ``data`` reads back as, when the caller knows it (it has just
        written ``data`` from that value with a writer proven to read back exactly); the
        text is then parsed only if a diagnostic needs a line."""
        problems: list[Diagnostic] = []
        config = (parse_file(rel, data, problems) if value is None
                  else ConfigFile(rel, value, _lazy_locations(rel, data), data))
        self._files[rel] = (data, config, tuple(problems))

    def get(self, rel: str, data: bytes) -> tuple[ConfigFile, tuple[Diagnostic, ...]] | None:
        found = self._files.get(rel)
        if found is None or not (found[0] is data or found[0] == data):
            return None
        return found[1], found[2]


def _read(root: Path, rel: str, diags: list[Diagnostic], contents: Mapping[str, bytes],
          parsed: ParsedFiles | None, confined: Path | None = None) -> ConfigFile:
    """``confined``: the real path of ``rel`` when the include glob has confined it."""
    data = contents.get(rel)
    if data is not None:  # written there by the caller: neither confined nor read again
        known = parsed.get(rel, data) if parsed is not None else None
        if known is not None:
            diags.extend(known[1])
            return known[0]
        return parse_file(rel, data, diags)
    try:
        path = confined or confine(root, rel, what="bundle file", where="the bundle root")
    except PathRefused:
        diags.append(_err(f"{rel} is a symbolic link that leads outside the bundle root; "
                          "dabgen reads only files inside it", rel, None))
        return ConfigFile(rel, {}, None)
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.append(_err(f"cannot read {rel}: {exc}", rel, None))
        return ConfigFile(rel, {}, None)
    return parse_file(rel, data, diags)


def parse_file(rel: str, data: bytes, diags: list[Diagnostic]) -> ConfigFile:
    """One configuration file's values and locations; problems go to ``diags``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        diags.append(_err(f"cannot read {rel}: {exc}", rel, None))
        return ConfigFile(rel, {}, None, data)
    value, _, problems = parse_yaml(text, rel, locate=False)
    diags.extend(problems)
    if value is None:
        return ConfigFile(rel, {}, None, data)
    if not isinstance(value, dict):
        diags.append(_err("the top level of a bundle file must be a mapping", rel, 1))
        return ConfigFile(rel, {}, None, data)
    return ConfigFile(rel, value, _lazy_locations(rel, data), data)


def _lazy_locations(rel: str, data: bytes) -> LazyLocTree:
    """Locations worked out again from the bytes if a diagnostic needs a line (the bytes,
    not the decoded text: the caller keeps those anyway)."""
    return LazyLocTree(lambda: parse_yaml(data.decode("utf-8"), rel)[1])


def _expand_includes(root: Path, root_file: ConfigFile, diags: list[Diagnostic],
                     contents: Mapping[str, bytes]) -> list[tuple[str, Path | None]]:
    """Files matched by ``include`` in order: per entry sorted, first match wins; each with
    its confined real path (``None`` for a file the caller has just written)."""
    entries = root_file.config.get("include") or []
    if not isinstance(entries, list):
        return []  # the schema check reports the wrong type
    seen = set(ROOT_FILE_NAMES)
    out: list[tuple[str, Path | None]] = []
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
        matches, leaving = _glob_inside(root, entry, contents)
        if leaving:
            diags.append(_err(f"include {entry!r} matches {leaving} symbolic link(s) leading "
                              "outside the bundle root; they are not read", root_file.path,
                              line))
        if not matches and not any(c in entry for c in "*?["):
            diags.append(_err(f"include {entry!r} does not match any file", root_file.path,
                              line))
        for rel, confined in matches.items():
            if rel in seen:
                continue
            seen.add(rel)
            if not rel.endswith(_CONFIG_SUFFIXES):
                diags.append(_err(f"included file {rel} is not YAML or JSON; list files to "
                                  "sync under sync.include instead", root_file.path, line))
                continue
            out.append((rel, confined))
    return out


def _glob_inside(root: Path, entry: str, contents: Mapping[str, bytes]
                 ) -> tuple[dict[str, Path | None], int]:
    """Files ``entry`` matches inside the root (sorted, each with its real path; ``None``
    for one the caller has just written), and how many matches lead out."""
    inside: dict[str, Path | None] = {}
    leaving = 0
    for match in glob.glob(entry, root_dir=root, include_hidden=True):
        rel = match.replace("\\", "/")
        if rel in contents:
            inside[rel] = None
            continue
        try:
            path = confine(root, rel, where="the bundle root")
        except PathRefused:
            leaving += 1
            continue
        if path.is_file():
            inside[rel] = path
    return dict(sorted(inside.items())), leaving


def _duplicate_resource_keys(files: Iterable[ConfigFile]) -> list[Diagnostic]:
    """A resource key may be defined once: in one file, under one resource type (CLI rule).
    Lines are looked up only for the duplicates reported."""
    first: dict[str, tuple[ConfigFile, str]] = {}
    diags: list[Diagnostic] = []
    for f in files:
        for rtype, key in _resource_keys(f.config.get("resources")):
            if key not in first:
                first[key] = (f, rtype)
                continue
            other, otype = first[key]
            oline = _line(other, ("resources", otype, key))
            diags.append(Diagnostic(
                "error",
                f"resource key {key!r} is already defined as {otype}.{key} in "
                f"{other.path}:{oline}; resource keys must be unique across files and types",
                file=f.path, line=_line(f, ("resources", rtype, key)),
                path=format_path(("resources", rtype, key)), source="loader"))
    return diags


def _merge_files(files: list[ConfigFile], diags: list[Diagnostic]
                 ) -> tuple[dict[str, Any], LocTree | None]:
    def clash(index: int, problem: str) -> None:
        path = files[index].path
        diags.append(_err(f"cannot merge {path} into the bundle: {problem}", path, None))

    config = merge_all([(f.config, None) for f in files], clash)[0]
    if all(f.tree is None for f in files):
        return config, None
    return config, LazyLocTree(
        lambda: merge_all([(f.config, f.tree) for f in files], lambda *_: None)[1])


def _resource_keys(resources: Any) -> Iterator[tuple[str, str]]:
    for rtype, group in (resources.items() if isinstance(resources, dict) else ()):
        for key in group if isinstance(group, dict) else ():
            yield rtype, key


def _line(f: ConfigFile, path: YamlPath) -> int | None:
    return f.tree.find(path).line if f.tree else None


def _err(summary: str, file: str | None, line: int | None) -> Diagnostic:
    return Diagnostic("error", summary, file=file, line=line, source="loader")
