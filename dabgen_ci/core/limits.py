"""Bounds on the work any input can cause, checked before the work starts.

Two shapes of input make work grow far beyond their size: deep nesting (every recursive
step of conversion, rendering and validation pays per level, and Python stops at about a
thousand frames) and YAML aliases (a 442-byte "billion laughs" document expands to 10⁹
nodes). Both are measured on the parsed structure *before* anything is built from it:
JSON values after ``json.loads`` (which shares nothing), YAML on the composed node graph,
where an alias is a second reference to the same node, so the expanded size of every
node can be computed once and summed (linear in the document, however large the
expansion would be).

The alias rule is go-yaml v3's, the parser the Databricks CLI reads bundles with: above
1,000 expanded nodes and 100 from aliases, at most 99 % of a document may come from alias
expansion up to 400,000 nodes, falling linearly to 10 % at 4,000,000 — so what the CLI
accepts, dabgen accepts, and a bomb is refused in microseconds. Pure: values in, a
problem (or None) out.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 128  # JSON values; conversion was measured to handle 200 (Python's ~1000 frames)
MAX_YAML_DEPTH = MAX_DEPTH + 8  # a bundle file wraps a job in resources.jobs.<key>
MAX_EXPANDED_NODES = 10_000_000
_ALIAS_RATIO_LOW, _ALIAS_RATIO_HIGH = 400_000, 4_000_000
_TOO_DEEP = "it is nested more than {} levels deep"
_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def json_depth_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why ``value`` (dicts, lists, scalars) is nested too deeply to process, or None."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > max_depth:
            return _TOO_DEEP.format(max_depth)
        if isinstance(current, dict):
            stack.extend((child, depth + 1) for child in current.values())
        elif isinstance(current, list):
            stack.extend((child, depth + 1) for child in current)
    return None


def allowed_alias_ratio(expanded: int) -> float:
    """go-yaml v3 ``allowedAliasRatio``: the share of a document aliases may make up."""
    if expanded <= _ALIAS_RATIO_LOW:
        return 0.99
    if expanded >= _ALIAS_RATIO_HIGH:
        return 0.10
    span = _ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW
    return 0.99 - 0.89 * (expanded - _ALIAS_RATIO_LOW) / span


def yaml_text_problem(text: str) -> str | None:
    """:func:`yaml_node_problem` for YAML text, for readers that build documents with
    another library (ruamel, PyYAML's constructors): the text is composed to nodes only,
    and the budget checked on them. Text the composer cannot read is left to the reader
    to report, except nesting too deep to compose at all."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except RecursionError:
        return _TOO_DEEP.format(MAX_YAML_DEPTH)
    except yaml.YAMLError as exc:
        return _TOO_DEEP.format(MAX_YAML_DEPTH) if "nesting depth" in str(exc) else None
    return None if node is None else yaml_node_problem(node, MAX_YAML_DEPTH)


def yaml_node_problem(root: yaml.Node, max_depth: int = MAX_YAML_DEPTH) -> str | None:
    """Why the composed document ``root`` is too costly to build, or None.

    Counts, without expanding anything: the nodes the document would have once every
    alias is expanded, how many of them come from aliases, and the deepest nesting.
    """
    sizes, depths = _expanded_sizes(root)
    if sizes is None:
        return "it holds an alias that refers to itself (a cycle)"
    expanded, unique = sizes[id(root)], len(sizes)
    from_aliases = expanded - unique
    if depths[id(root)] > max_depth:
        return _TOO_DEEP.format(max_depth)
    if expanded > MAX_EXPANDED_NODES:
        return (f"it would expand to {expanded:,} values (at most {MAX_EXPANDED_NODES:,}); "
                "YAML aliases (*name) repeat their anchor's whole value")
    if from_aliases > 100 and expanded > 1000 and \
            from_aliases / expanded > allowed_alias_ratio(expanded):
        return (f"its aliases would expand {unique:,} values to {expanded:,} (excessive "
                "aliasing, refused as the Databricks CLI does)")
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_sizes(root: yaml.Node) -> tuple[dict[int, int] | None, dict[int, int]]:
    """Post-order walk of the node graph, each node once: expanded size and depth per
    node id; ``None`` sizes when a node contains itself."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            kids = _children(node)
            sizes[key] = 1 + sum(sizes[id(k)] for k in kids)
            depths[key] = 1 + max((depths[id(k)] for k in kids), default=0)
            on_path.discard(key)
            continue
        if key in sizes:
            continue
        if key in on_path:
            return None, depths
        on_path.add(key)
        stack.append((node, True))
        stack.extend((kid, False) for kid in _children(node) if id(kid) not in sizes)
    return sizes, depths
