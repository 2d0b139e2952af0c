"""What one Python call means: widget, parameter, secret, notebook run, table, path,
streaming option or ML call. Each rule is a small function; :func:`classify_call` runs the
ones whose name matches."""

from __future__ import annotations

import ast
from dataclasses import replace

from dabgen_ci.core.notebook.common import Collector, fs_paths, looks_like_path
from dabgen_ci.core.notebook.model import (
    Dependency,
    Direction,
    MlUse,
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
)
from dabgen_ci.core.notebook.python_exprs import (
    anchor,
    argument,
    chain,
    chain_mode,
    dotted,
    literal,
    literal_or_source,
    resolve,
)
from dabgen_ci.core.notebook.sql import analyze_sql

WIDGET_TYPES = frozenset({"text", "dropdown", "combobox", "multiselect"})
PARAMETER_GETTERS = frozenset({"dbutils.widgets.get", "dbutils.widgets.getArgument", "getArgument"})
TABLE_WRITERS = frozenset({"saveAsTable", "insertInto", "toTable", "writeTo"})
TEMP_VIEWS = frozenset({
    "createOrReplaceTempView", "createTempView", "createGlobalTempView",
    "createOrReplaceGlobalTempView", "registerTempTable",
})
FORMAT_METHODS = frozenset({"csv", "json", "parquet", "orc", "text", "textFile", "xml", "avro"})
PANDAS_WRITERS = frozenset({"to_csv", "to_parquet", "to_json", "to_excel", "to_pickle"})
ML_LIBRARIES = frozenset({
    "sklearn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras",
    "transformers", "pyspark.ml",
})
TRAINING_METHODS = frozenset({"fit", "partial_fit", "train", "fit_generator", "step", "backward"})


def classify_call(node: ast.Call, line: int, out: Collector) -> None:
    name = dotted(node.func) or ""
    method = node.func.attr if isinstance(node.func, ast.Attribute) else name
    prefix, _, last = name.rpartition(".")
    if prefix == "dbutils.widgets" and last in WIDGET_TYPES:
        _widget(node, last, line, out)
    elif name in PARAMETER_GETTERS:
        _parameter(node, line, "getArgument" if last == "getArgument" else "widgets.get", out)
    elif name in ("dbutils.secrets.get", "dbutils.secrets.getBytes"):
        _secret(node, line, out)
    elif name == "dbutils.notebook.run":
        _notebook_run(node, line, out)
    elif prefix == "dbutils.fs":
        values = [literal(a, out.constants) for a in node.args]
        fs_paths(last, values, line, out)
    elif method == "sql" and chain(node.func)[0] in ("spark", "sqlContext"):
        _spark_sql(node, line, out)
    else:
        _tables(node, method, line, out)
        _paths(node, method, line, out)
        _streaming(node, method, line, out)
    _ml(node, method, line, out)


def _widget(node: ast.Call, kind: str, line: int, out: Collector) -> None:
    name = literal(argument(node, 0, "name"), out.constants)
    if name is None:
        return
    default = literal(argument(node, 1, "defaultValue", "default_value"), out.constants)
    choices = None
    label_at = 2
    if kind != "text":
        label_at = 3
        values = argument(node, 2, "choices")
        if isinstance(values, ast.List | ast.Tuple):
            items = [literal(v, out.constants) for v in values.elts]
            choices = tuple(i for i in items if i is not None)
    label = literal(argument(node, label_at, "label"), out.constants)
    out.add("widgets", Widget(line, name, kind, default, choices, label))


def _parameter(node: ast.Call, line: int, syntax: str, out: Collector) -> None:
    name = literal(argument(node, 0, "name", "argName"), out.constants)
    if name is not None:
        out.add("parameter_refs", ParameterRef(line, name, syntax))


def _secret(node: ast.Call, line: int, out: Collector) -> None:
    scope = literal(argument(node, 0, "scope"), out.constants)
    key = literal(argument(node, 1, "key"), out.constants)
    out.add("secrets", SecretRef(line, scope, key, "dbutils.secrets"))


def _notebook_run(node: ast.Call, line: int, out: Collector) -> None:
    path = argument(node, 0, "path")
    if path is None:
        return
    timeout = argument(node, 1, "timeout_seconds", "timeoutSeconds", "timeout")
    seconds = timeout.value if isinstance(timeout, ast.Constant) else None
    pairs: list[tuple[str, str]] = []
    arguments = argument(node, 2, "arguments")
    if isinstance(arguments, ast.Dict):
        for key, value in zip(arguments.keys, arguments.values, strict=True):
            if key is not None:
                pairs.append((literal_or_source(key, out.constants),
                              literal_or_source(value, out.constants)))
    target = literal_or_source(path, out.constants)
    seconds = seconds if isinstance(seconds, int) else None
    out.add("dependencies", Dependency(line, "notebook.run", target, seconds, tuple(pairs)))


def _spark_sql(node: ast.Call, line: int, out: Collector) -> None:
    """SQL in place keeps its own lines; SQL from a variable is reported at the call.
    With ``args=`` the ``:name`` markers are bound by the call, not job parameters."""
    query = argument(node, 0, "sqlQuery")
    text = literal(query, out.constants)
    if query is None or text is None:
        return
    in_place = isinstance(query, ast.Constant | ast.JoinedStr)
    inner = Collector(temp_views=out.temp_views)
    analyze_sql(text, line + query.lineno - anchor(node) if in_place else line, inner)
    bound = argument(node, 1, "args") is not None
    for kind, records in inner.lists.items():
        for record in records:
            if bound and isinstance(record, ParameterRef) and record.syntax == ":param":
                continue
            out.add(kind, record if in_place else replace(record, line=line))
    out.mentioned += [(at if in_place else line, text) for at, text in inner.mentioned]


def _tables(node: ast.Call, method: str, line: int, out: Collector) -> None:
    first = argument(node, 0, "tableName", "name")
    names = chain(node.func)
    if method == "table" and first is not None:
        if chain_mode(node.func, out.handles) == "read" or names[:1] == ["spark"]:
            via = ".".join(n for n in names if n in ("spark", "read", "readStream", "table"))
            out.add("tables", TableRef(line, literal_or_source(first, out.constants), "read", via))
    elif method in TABLE_WRITERS and first is not None:
        out.add("tables", TableRef(line, literal_or_source(first, out.constants), "write", method))
    elif method in TEMP_VIEWS and first is not None:
        out.temp_views.add(literal_or_source(first, out.constants))
    elif names[-2:] in (["DeltaTable", "forName"], ["DeltaTable", "forPath"]):
        target = argument(node, 1, "tableOrViewName", "path")
        if target is not None:
            value = literal_or_source(target, out.constants)
            via = f"DeltaTable.{names[-1]}"
            record = TableRef(line, value, "write", via) if names[-1] == "forName" else PathRef(
                line, value, "write", via)
            out.add("tables" if isinstance(record, TableRef) else "paths", record)


def _paths(node: ast.Call, method: str, line: int, out: Collector) -> None:
    """Reader/writer paths; a DeltaTable handle counts as a write (it exists to merge,
    update or delete)."""
    first = argument(node, 0, "path")
    mode: Direction | None = chain_mode(node.func, out.handles)
    if method == "load" or (method == "start" and mode == "write"):
        mode = "read" if method == "load" else "write"
    elif method == "save":
        mode = "write"
    elif method not in FORMAT_METHODS:
        _pandas_paths(node, method, line, out)
        return
    if first is not None and mode is not None:
        value = literal_or_source(first, out.constants)
        out.add("paths", PathRef(line, value, mode, method))


def _pandas_paths(node: ast.Call, method: str, line: int, out: Collector) -> None:
    value = literal(argument(node, 0, "path", "path_or_buf", "filepath_or_buffer"), out.constants)
    if value is None or not looks_like_path(value):
        return
    if method.startswith("read_"):
        out.add("paths", PathRef(line, value, "read", method))
    elif method in PANDAS_WRITERS:
        out.add("paths", PathRef(line, value, "write", method))


def _streaming(node: ast.Call, method: str, line: int, out: Collector) -> None:
    if method == "trigger":
        parts = [ast.unparse(a) for a in node.args]
        parts += [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg]
        out.add("streaming", StreamingUse(line, "trigger", ", ".join(parts)))
    elif method == "format" and literal(argument(node, 0, "source"), out.constants) == "cloudFiles":
        out.add("streaming", StreamingUse(line, "autoloader", "cloudFiles"))
    elif method in ("option", "options"):
        for key, value in _options(node, out):
            _option(key, value, node, line, out)


def _options(node: ast.Call, out: Collector) -> list[tuple[str, ast.expr]]:
    if isinstance(node.func, ast.Attribute) and node.func.attr == "option":
        key = literal(argument(node, 0, "key"), out.constants)
        value = argument(node, 1, "value")
        return [(key, value)] if key is not None and value is not None else []
    return [(k.arg, k.value) for k in node.keywords if k.arg]


def _option(key: str, value: ast.expr, node: ast.Call, line: int, out: Collector) -> None:
    text = literal_or_source(value, out.constants)
    if key == "checkpointLocation":
        out.add("streaming", StreamingUse(line, "checkpointLocation", text))
        out.add("paths", PathRef(line, text, "write", key))
    elif key.lower().endswith("location"):
        out.add("paths", PathRef(line, text, "write", key))
    elif key == "path":
        mode = chain_mode(node.func, out.handles)
        if mode is not None:
            out.add("paths", PathRef(line, text, mode, "option(path)"))


def _ml(node: ast.Call, method: str, line: int, out: Collector) -> None:
    """mlflow calls, and training calls of objects built from ML libraries (an unresolved
    ``.fit()`` is still recorded, with no library: the name is ML-specific enough)."""
    origin = resolve(node.func, out.aliases)
    call = origin.replace("()", "") if origin else ""
    library = _ml_library(call)
    if library == "mlflow" or (library and method in TRAINING_METHODS):
        out.add("ml", MlUse(line, library, call))
    elif not origin and method == "fit":
        out.add("ml", MlUse(line, None, dotted(node.func) or "fit"))


def _ml_library(call: str) -> str | None:
    if call.startswith("pyspark.ml."):
        return "pyspark.ml"
    root = call.split(".")[0]
    return root if root in ML_LIBRARIES or root == "mlflow" else None
