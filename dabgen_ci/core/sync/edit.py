"""Apply adopted workspace values to a bundle's YAML, touching nothing else (pure).

Files a person may have edited are changed through :mod:`dabgen_ci.core.bundle.rtyaml`
(ruamel round-trip): comments, key order, quoting, targets, variables, permissions and
includes survive byte for byte wherever no value changes. Each write names a field of one
job resource; it goes where the value the configured target sees is written: a target
override (``targets.<t>.resources.jobs.<key>…``, in ``databricks.yml`` or the job's file)
when one sets it, else the job's own resource. New entries are placed after their
neighbour in the workspace's order; new mappings and lists are written the way the
generator writes them (:mod:`dabgen_ci.core.bundle.yamlfmt`), so they read the same.

A value the repository holds as a variable stays a variable (``${var.x}``):

1. a declared variable already holding the new value is referenced instead;
2. else, when nothing else references ``x``, ``x`` takes the new value where the target
   gets it from (the target's override, else the default);
3. else a new variable ``x_2`` is declared with the new value.

A string that only partly is a reference (``${var.catalog}.sales``) cannot be updated
safely; such writes are refused and reported as conflicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap

from dabgen_ci.core.bundle import rtyaml
from dabgen_ci.core.bundle.keys import unique_name
from dabgen_ci.core.bundle.merge import ABSENT, FieldPath
from dabgen_ci.core.sync.forms import SyncVariables
from dabgen_ci.core.sync.yamltree import child, delete, descend, get, has, insert, node, set_value

_VAR_PREFIX = "${var."


@dataclass(frozen=True)
class Write:
    """Set the field at ``path`` of a job resource to ``value`` (:data:`ABSENT` removes
    it); ``order`` lists the keys of its parent in the workspace's order."""

    path: FieldPath
    value: object
    order: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refused:
    path: FieldPath
    reason: str


@dataclass
class BundleDocs:
    """The bundle's YAML files, parsed on first use; only edited ones are dumped again.

    A file dabgen wrote and nobody touched since may be replaced whole by the generator's
    text instead (:meth:`replace`): byte-identical to what an edit would give, without the
    cost of a round trip.
    """

    texts: Mapping[str, str]
    root_file: str
    target: str | None
    variables: SyncVariables  # the bundle's variables and their values for the target
    _docs: dict[str, Any] = field(default_factory=dict)
    _replaced: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    added_variables: list[str] = field(default_factory=list)

    def doc(self, file: str) -> Any:
        if file not in self._docs:
            text = self._replaced.pop(file, None)
            if text is not None:
                self.changed.add(file)
            else:
                text = self.texts.get(file)
            self._docs[file] = rtyaml.load(text) if text is not None else None
        return self._docs[file]

    def replace(self, file: str, text: str) -> None:
        """Give ``file`` the new ``text`` (a file only the generator ever wrote)."""
        self._docs.pop(file, None)
        self.changed.discard(file)
        self._replaced[file] = text

    def overridden(self, key: str) -> bool:
        """Does a target override in the root file set anything of job ``key``?"""
        if not self.target:
            return False
        path = ("targets", self.target, "resources", "jobs", key)
        return get(self.doc(self.root_file), path) is not None

    def changed_texts(self) -> dict[str, str]:
        texts = {f: rtyaml.dump(self._docs[f]) for f in self.changed}
        texts.update(self._replaced)
        return dict(sorted(texts.items()))

    def references(self, name: str) -> int:
        """How often ``${var.<name>}`` is written in the bundle (edits included)."""
        needle = f"{_VAR_PREFIX}{name}}}"
        edited = self.changed_texts()
        return sum(edited.get(f, text).count(needle) for f, text in self.texts.items())


def edit_job(docs: BundleDocs, file: str, key: str, writes: Iterable[Write]) -> list[Refused]:
    """Apply ``writes`` to job ``key`` (defined in ``file``); returns the refused ones."""
    refused: list[Refused] = []
    for write in writes:
        problem = _apply(docs, file, key, write)
        if problem:
            refused.append(Refused(write.path, problem))
    return refused


def remove_job(docs: BundleDocs, file: str, key: str) -> bool:
    """Drop job ``key`` from ``file``; True when the file holds nothing else and can go."""
    doc = docs.doc(file)
    jobs = get(doc, ("resources", "jobs"))
    if isinstance(jobs, CommentedMap) and key in jobs:
        del jobs[key]
        docs.changed.add(file)
    resources = get(doc, ("resources",))
    others = [k for k in (doc or {}) if k != "resources"]
    empty = not others and all(not v for v in (resources or {}).values())
    if empty:
        docs.changed.discard(file)
    return empty


def declare_variable(docs: BundleDocs, name: str, description: str, default: object) -> None:
    """Add ``variables.<name>`` with a default to the root file (after include/bundle)."""
    root = docs.doc(docs.root_file)
    variables = root.get("variables")
    if not isinstance(variables, CommentedMap):
        variables = CommentedMap()
        anchor = next((k for k in ("include", "bundle") if k in root), None)
        position = list(root).index(anchor) + 1 if anchor else 0
        root.insert(position, "variables", variables)
    variables[name] = node({"description": description, "default": default}, name)
    docs.variables.declare(name, default)
    docs.added_variables.append(name)
    docs.changed.add(docs.root_file)


# -- one write ---------------------------------------------------------------------------

def _apply(docs: BundleDocs, file: str, key: str, write: Write) -> str | None:
    holders = _holders(docs, file, key)
    if not holders:
        return f"job `{key}` is not defined in {file}"
    *parents_path, last = write.path
    found = [(f, p) for f, h in holders
             if (p := descend(h, parents_path)) is not None and has(p, last)]
    if write.value is ABSENT:
        for holder_file, parent in found:
            delete(parent, last)
            docs.changed.add(holder_file)
        return None
    if found:
        holder_file, parent = found[0]
        current = child(parent, last)
        value, problem = _keep_variable(docs, current, write.value)
        if problem:
            return problem
        if value is current:  # the variable took the new value instead
            return None
        set_value(parent, last, value, write.path)
        docs.changed.add(holder_file)
        return None
    for holder_file, holder in reversed(holders):  # the job's own resource first
        parent = descend(holder, parents_path)
        if parent is not None:
            insert(parent, last, write.value, write.order, write.path)
            docs.changed.add(holder_file)
            return None
    return "its parent is not in the repository's YAML"


def _holders(docs: BundleDocs, file: str, key: str) -> list[tuple[str, Any]]:
    """Where job ``key`` is written: target overrides first, its resource last."""
    found = []
    if docs.target:
        override = ("targets", docs.target, "resources", "jobs", key)
        for holder_file in dict.fromkeys((docs.root_file, file)):
            found_node = get(docs.doc(holder_file), override)
            if isinstance(found_node, CommentedMap):
                found.append((holder_file, found_node))
    own = get(docs.doc(file), ("resources", "jobs", key))
    if isinstance(own, CommentedMap):
        found.append((file, own))
    return found


def _keep_variable(docs: BundleDocs, current: object, new: object) -> tuple[object, str | None]:
    """The value to write where ``current`` is: a variable stays a variable."""
    if not isinstance(current, str) or "${" not in current:
        return new, None
    if isinstance(new, str) and new.startswith("${"):
        return new, None
    name = _whole_variable(current)
    if name is None:
        if _is_whole_reference(current):  # e.g. ${resources.jobs.x.id}: the value replaces it
            return new, None
        return new, (f"the repository builds this value from a reference ({current}); "
                     "update it by hand")
    declared = docs.variables.declared()
    holder = next((n for n, v in sorted(declared.items()) if v == new and _same_type(v, new)),
                  None)
    if holder is not None:
        return f"{_VAR_PREFIX}{holder}}}", None
    if docs.references(name) <= 1 and _set_variable_value(docs, name, new):
        return current, None
    fresh = unique_name(name, docs.variables.taken())
    declare_variable(docs, fresh, f"{name} as the workspace now has it", new)
    return f"{_VAR_PREFIX}{fresh}}}", None


def _set_variable_value(docs: BundleDocs, name: str, value: object) -> bool:
    root = docs.doc(docs.root_file)
    spots: list[Sequence[str]] = []
    if docs.target:
        spots.append(("targets", docs.target, "variables"))
    spots.append(("variables",))
    for spot in spots:
        variables = get(root, spot)
        if not isinstance(variables, CommentedMap) or name not in variables:
            continue
        entry = variables[name]
        if isinstance(entry, CommentedMap):
            if "default" not in entry:
                return False  # a lookup: not ours to change
            entry["default"] = node(value, "default")
        else:
            variables[name] = node(value, name)
        docs.variables.declare(name, value)
        docs.changed.add(docs.root_file)
        return True
    return False


def _is_whole_reference(text: str) -> bool:
    return text.startswith("${") and text.endswith("}") and text.count("${") == 1


def _whole_variable(text: str) -> str | None:
    if text.startswith(_VAR_PREFIX) and _is_whole_reference(text):
        name = text[len(_VAR_PREFIX):-1]
        return name if name and "." not in name and "[" not in name else None
    return None


def _same_type(a: object, b: object) -> bool:
    return type(a) is type(b)
