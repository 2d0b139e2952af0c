"""Python cells: parsed with :mod:`ast`, never substring-matched.

IPython line magics (``%pip``, ``%run``, ``!pip``) are handled first and blanked so the rest
of the cell parses. A cell that still does not parse is split into logical lines with
:mod:`tokenize` and each statement that parses on its own is analysed, so one bad line does
not hide the rest of the cell. The call rules live in :mod:`analyze_python_calls`.

String constants assigned to plain names are remembered across cells (``path = "/mnt/x"``
then ``spark.read.load(path)``), as are import aliases and objects built from imported
classes, so ``model.fit`` resolves to ``sklearn...RandomForestClassifier.fit``.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from typing import TypeVar

from dabgen_ci.core.notebook.common import Collector, handle_magic_line
from dabgen_ci.core.notebook.model import Library, StreamingUse
from dabgen_ci.core.notebook.python_calls import classify_call
from dabgen_ci.core.notebook.python_exprs import anchor, chain_mode, literal, resolve

_LAYOUT = frozenset({
    tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER,
})
PROVIDED = frozenset({"pyspark", "py4j", "dbutils", "delta", "IPython", "databricks", "dbruntime"})


def analyze_python(text: str, first_line: int, out: Collector) -> None:
    code = _without_magics(text, first_line, out)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError) as error:
        line = first_line + (getattr(error, "lineno", None) or 1) - 1
        message = getattr(error, "msg", str(error))
        out.notes.append(
            f"line {line}: not valid Python ({message}); analysed statement by statement"
        )
        for start, statement in _logical_lines(code):
            _visit_statement(statement, first_line + start - 2, out)
        return
    _Visitor(out, first_line - 1).visit(tree)


def _without_magics(text: str, first_line: int, out: Collector) -> str:
    """The cell with magic lines (and their ``\\`` continuations) blanked, lines kept."""
    lines = text.split("\n")
    code: list[str] = []
    index = 0
    while index < len(lines):
        start, joined = index, lines[index]
        if joined.lstrip().startswith(("%", "!")):
            while joined.rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                joined = joined.rstrip()[:-1] + " " + lines[index]
            handle_magic_line(joined, first_line + start, out)
            code.extend([""] * (index - start + 1))
        else:
            code.append(joined)
        index += 1
    return "\n".join(code)


def _logical_lines(code: str) -> list[tuple[int, str]]:
    """``(first line, text)`` of each logical line. Where tokenize gives up (an unclosed
    bracket swallows the rest of the cell), it restarts on the line after the bad one."""
    lines = code.split("\n")
    found: list[tuple[int, str]] = []
    offset = 0
    while offset < len(lines):
        start = None
        try:
            for token in tokenize.generate_tokens(io.StringIO("\n".join(lines[offset:])).readline):
                if token.type in _LAYOUT:
                    continue
                start = start or token.start[0]
                if token.type == tokenize.NEWLINE:
                    first, last = offset + start, offset + token.end[0]
                    found.append((first, "\n".join(lines[first - 1:last])))
                    start = None
            return found
        except (tokenize.TokenError, SyntaxError):
            offset += start or 1
    return found


def _visit_statement(statement: str, base: int, out: Collector) -> None:
    """One logical line on its own; a block header gets ``pass`` so it parses."""
    text = statement.strip()
    if text.endswith(":"):
        text += " pass"
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    _Visitor(out, base).visit(tree)


class _Visitor(ast.NodeVisitor):
    """Walks one parsed cell (or statement); ``base`` + node line = notebook line."""

    def __init__(self, out: Collector, base: int) -> None:
        self.out = out
        self.base = base

    def line(self, node: ast.AST) -> int:
        return self.base + getattr(node, "lineno", 1)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            self._library(top, node)
            self.out.aliases[alias.asname or top] = alias.name if alias.asname else top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        self._library(node.module.split(".")[0], node)
        for alias in node.names:
            if alias.name != "*":
                self.out.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _library(self, module: str, node: ast.AST) -> None:
        if module not in sys.stdlib_module_names and module not in PROVIDED:
            self.out.add("libraries", Library(self.line(node), module, "import"))

    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            return
        name = node.targets[0].id
        _rebind(self.out.constants, name, literal(node.value, self.out.constants))
        _rebind(self.out.aliases, name, resolve(node.value, self.out.aliases))
        _rebind(self.out.handles, name, chain_mode(node.value, self.out.handles))

    def visit_Call(self, node: ast.Call) -> None:
        classify_call(node, self.base + anchor(node), self.out)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in ("readStream", "writeStream"):
            line = self.base + (node.end_lineno or node.lineno)
            self.out.add("streaming", StreamingUse(line, node.attr))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            self.out.mention(self.line(node), node.value)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        text = literal(node, self.out.constants)
        if text is not None:
            self.out.mention(self.line(node), text)
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                self.visit(part.value)


_V = TypeVar("_V")


def _rebind(table: dict[str, _V], name: str, value: _V | None) -> None:
    """``name = …`` forgets what the name meant before; a value we can follow replaces it."""
    table.pop(name, None)
    if value is not None:
        table[name] = value
