"""Imports point downwards only: entry points → flows → adapters → core.

Why each layer sits where it does (docs/architecture.md draws the picture):

- **core** (``dabgen_ci/core/``, ``errors``, the package root): the pure part — data in,
  data out, no I/O, no network, no clock. Conversion, layout, notebook analysis, the bot's
  comment grammar and text, diagnostics, redaction and the typed results live here, so
  everything hard is unit-tested with plain data. ``errors`` belongs here because every
  layer, the core included, raises the user-facing errors.
- **adapters** (``workspace/``, ``github/``, ``git``, ``validate/``, ``agent/``,
  ``bundle_writer``, ``config/``, ``sync_store/``, ``progress``): thin
  translations between the outside world (HTTP, subprocesses, files, the Claude SDK, a
  terminal) and core data. They may use each other (the validator reads files, the agent
  runs the validator's tools) but know no use case.
- **flows** (``flows/``): the use cases, one module each, composing adapters and core.
  A flow that needs something from above (the bot needs an agent) declares a Protocol
  and is given an implementation.
- **entry points** (``cli``, ``commands/``, ``mcp_server/``): parse arguments or events,
  build the adapters and call a flow. Nothing imports them.

Every import counts: module level, inside functions, under ``TYPE_CHECKING``, relative.
A module the table does not place fails the test, so a new top-level module gets a layer
on purpose.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dabgen_ci", "mcp_server")

CORE, ADAPTERS, FLOWS, ENTRY = 0, 1, 2, 3
LAYER_NAMES = {CORE: "core", ADAPTERS: "adapters", FLOWS: "flows", ENTRY: "entry points"}

# A module belongs to the longest entry that is its name or a parent package of it.
# Keep in step with docs/architecture.md.
LAYERS: dict[str, int] = {
    "dabgen_ci.core": CORE,
    "dabgen_ci.errors": CORE,
    "dabgen_ci.data": CORE,  # packaged files (schemas, the demo workspace), no code
    "dabgen_ci.workspace": ADAPTERS,
    "dabgen_ci.github": ADAPTERS,
    "dabgen_ci.git": ADAPTERS,
    "dabgen_ci.validate": ADAPTERS,
    "dabgen_ci.agent": ADAPTERS,
    "dabgen_ci.bundle_writer": ADAPTERS,
    "dabgen_ci.config": ADAPTERS,  # .dabgen.yml: model, checks with lines, the starter file
    "dabgen_ci.sync_store": ADAPTERS,  # bundle directories of the repository, shard artifacts
    "dabgen_ci.progress": ADAPTERS,
    "dabgen_ci.flows": FLOWS,
    "dabgen_ci.cli": ENTRY,
    "dabgen_ci.commands": ENTRY,
    "mcp_server": ENTRY,
}


class Import(NamedTuple):
    module: str  # the importing module
    target: str  # the imported module (or the package a name was imported from)
    line: int


# The package root itself (it holds only ``__version__``): not a parent of its modules,
# or an unplaced new module would silently land in the core.
ROOT_PACKAGES = {"dabgen_ci": CORE}


def layer_of(module: str) -> int | None:
    if module in ROOT_PACKAGES:
        return ROOT_PACKAGES[module]
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        layer = LAYERS.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, *, is_package: bool = False) -> Iterator[Import]:
    """Every first-party import in ``source``, wherever it is written."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            for alias in node.names:
                # `from pkg import mod` imports a module; `from mod import name` a name.
                yield Import(module, f"{base}.{alias.name}" if node.module is None or
                             _is_module(f"{base}.{alias.name}") else base, node.lineno)


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[:len(package) - node.level + 1]
    return ".".join([*package, *([node.module] if node.module else [])])


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def all_imports(root: Path = ROOT) -> Iterator[Import]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "data" in path.relative_to(root / package).parts[:1]:
                continue  # sample workspace sources, not dabgen code
            name = module_name(path, root)
            yield from imports_in(path.read_text(encoding="utf-8"), name,
                                  is_package=path.name == "__init__.py")


def upward(imports: Iterator[Import]) -> list[str]:
    found = []
    for imp in imports:
        if not imp.target.startswith(PACKAGES):
            continue
        source, target = layer_of(imp.module), layer_of(imp.target)
        if source is None or target is None:
            continue  # reported by test_every_module_has_a_layer
        if target > source:
            found.append(f"{imp.module}:{imp.line} ({LAYER_NAMES[source]}) imports "
                         f"{imp.target} ({LAYER_NAMES[target]})")
    return list(dict.fromkeys(found))  # `from m import a, b` is one import of m


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({m for imp in all_imports() for m in (imp.module, imp.target)
                       if m.startswith(PACKAGES) and layer_of(m) is None})
    assert unplaced == [], "give these modules a layer in LAYERS: " + ", ".join(unplaced)


def test_no_module_imports_a_higher_layer() -> None:
    assert upward(all_imports()) == []


def test_the_packages_are_actually_scanned() -> None:
    """Guards against a walk that silently finds nothing (a moved root, a wrong glob)."""
    seen = {imp.module for imp in all_imports()}
    assert {"dabgen_ci.cli", "dabgen_ci.flows.generate", "dabgen_ci.core.bundle.convert",
            "mcp_server.server"} <= seen
    assert len(seen) > 100


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("dabgen_ci.core.bundle.layout", "from dabgen_ci.workspace.base import ExportedObject\n",
     "dabgen_ci.workspace.base"),
    ("dabgen_ci.agent.refiner",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
     "    from dabgen_ci.flows.bot.pr import RefineRequest\n", "dabgen_ci.flows.bot.pr"),
    ("dabgen_ci.validate.schema", "def f():\n    import dabgen_ci.commands.generate\n",
     "dabgen_ci.commands.generate"),
    ("dabgen_ci.core.report", "from ..flows import generate\n", "dabgen_ci.flows.generate"),
    ("dabgen_ci.flows.demo", "from mcp_server import server\n", "mcp_server.server"),
])
def test_the_check_catches_upward_imports(module: str, source: str, expected: str) -> None:
    """Each way of writing an import the rule forbids is caught, with where it is."""
    [found] = upward(imports_in(source, module))
    assert found.startswith(f"{module}:") and f"imports {expected} " in found


def test_downward_and_sideways_imports_pass() -> None:
    source = ("from dabgen_ci.core.diagnostics import Diagnostic\n"
              "from dabgen_ci.validate import validate_bundle\n"
              "from dabgen_ci.flows.select import JobSelection\n"
              "from . import export\n")
    assert upward(imports_in(source, "dabgen_ci.flows.generate")) == []


def test_layers_follow_the_longest_prefix() -> None:
    assert layer_of("dabgen_ci.core.report") == CORE
    assert layer_of("dabgen_ci.flows.bot.pr") == FLOWS
    assert layer_of("dabgen_ci.gitx") is None  # a prefix of the name is not a parent
    assert layer_of("dabgen_ci.newthing") is None
    assert layer_of("dabgen_ci") == CORE
    assert layer_of("mcp_server.tools_bundles") == ENTRY
