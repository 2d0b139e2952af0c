"""Scala and R cells: rules over call sites with literal arguments (see
:mod:`analyze_scala_r_tokens`). Less precise than the Python analysis by design: a
heuristic over tokens, which still ignores comments and never matches inside strings."""

from __future__ import annotations

from dabgen_ci.core.notebook.common import Collector, fs_paths
from dabgen_ci.core.notebook.model import (
    Dependency,
    Direction,
    Library,
    MlUse,
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
)
from dabgen_ci.core.notebook.scala_r_tokens import (
    CallSite,
    Token,
    call_sites,
    collection_strings,
    pairs,
    tokenize,
)
from dabgen_ci.core.notebook.sql import analyze_sql

SCALA_PROVIDED = (
    "scala.", "java.", "javax.", "org.apache.spark.", "org.apache.hadoop.", "io.delta.",
    "com.databricks.", "org.json4s.", "com.fasterxml.jackson.", "org.slf4j.",
    "org.apache.log4j.", "org.apache.commons.", "spark.",
)
R_PROVIDED = frozenset({
    "base", "stats", "utils", "methods", "graphics", "grDevices", "datasets", "tools",
    "parallel", "grid", "splines", "stats4", "tcltk", "compiler", "SparkR", "sparklyr",
})
WIDGET_TYPES = frozenset({"text", "dropdown", "combobox", "multiselect"})
R_TABLE_READS = frozenset({"tableToDF", "spark_read_table", "tbl", "sdf_table"})
R_TABLE_WRITES = frozenset({"saveAsTable", "insertInto", "spark_write_table"})
TABLE_WRITES = frozenset({"saveAsTable", "insertInto", "toTable"})
TEMP_VIEWS = frozenset({"createOrReplaceTempView", "createTempView", "registerTempTable"})
FORMAT_METHODS = frozenset({"csv", "json", "parquet", "orc", "text", "textFile", "avro"})
SQL_CALLEES = frozenset({"sql", "SparkR::sql", "dbGetQuery", "DBI::dbGetQuery", "sdf_sql"})


def analyze_scala_r(code: str, language: str, first_line: int, out: Collector) -> None:
    tokens = tokenize(code, language, first_line)
    for token in tokens:
        if token.kind == "string":
            out.mention(token.line, token.text())
        elif token.value in ("readStream", "writeStream"):
            out.add("streaming", StreamingUse(token.line, token.value))
    if language == "SCALA":
        _scala_imports(tokens, out)
    for site in call_sites(tokens):
        _call(site, language, out)


def _scala_imports(tokens: list[Token], out: Collector) -> None:
    for index, token in enumerate(tokens):
        if token.value != "import":
            continue
        parts = []
        for part in tokens[index + 1:]:
            if part.line != token.line or (part.kind != "word" and part.value != "."):
                break
            parts.append(part.value)
        name = "".join(parts).removesuffix("._").rstrip(".")
        if name and not (name + ".").startswith(SCALA_PROVIDED):
            out.add("libraries", Library(token.line, name, "scala"))


def _call(site: CallSite, language: str, out: Collector) -> None:
    callee = site.callee
    prefix, _, last = callee.rpartition(".")
    method = last if language == "SCALA" else callee
    if prefix == "dbutils.widgets" and last in WIDGET_TYPES:
        _widget(site, last, out)
    elif callee in ("dbutils.widgets.get", "dbutils.widgets.getArgument", "getArgument"):
        name = site.string(0, "name", "argName")
        syntax = "getArgument" if last == "getArgument" else "widgets.get"
        if name is not None:
            out.add("parameter_refs", ParameterRef(site.line, name, syntax))
    elif callee in ("dbutils.secrets.get", "dbutils.secrets.getBytes"):
        secret = SecretRef(site.line, site.string(0, "scope"), site.string(1, "key"),
                           "dbutils.secrets")
        out.add("secrets", secret)
    elif callee == "dbutils.notebook.run":
        _notebook_run(site, out)
    elif prefix == "dbutils.fs":
        fs_paths(last, [site.string(i) for i in range(len(site.args))], site.line, out)
    elif callee in SQL_CALLEES or callee.endswith(("spark.sql", "sqlContext.sql")):
        strings = site.strings()
        if strings:
            analyze_sql(strings[0], site.line, out)
    elif language == "R":
        _r_call(site, out)
    else:
        _scala_call(site, method, out)
    _streaming(site, method, out)


def _widget(site: CallSite, kind: str, out: Collector) -> None:
    name = site.string(0, "name")
    if name is None:
        return
    choices = None if kind == "text" else collection_strings(site.arg(2, "choices"))
    label = site.string(2 if kind == "text" else 3, "label")
    default = site.string(1, "defaultValue", "default")
    out.add("widgets", Widget(site.line, name, kind, default, choices, label))


def _notebook_run(site: CallSite, out: Collector) -> None:
    target = site.string(0, "path")
    if target is None:
        return
    timeout = site.arg(1, "timeoutSeconds", "timeout_seconds")
    seconds = int(timeout[0].value) if timeout and timeout[0].value.isdigit() else None
    arguments = pairs(site.arg(2, "arguments"))
    out.add("dependencies", Dependency(site.line, "notebook.run", target, seconds, arguments))


def _mode(chain: tuple[str, ...]) -> Direction | None:
    for word in reversed(chain):
        if word in ("read", "readStream"):
            return "read"
        if word in ("write", "writeStream"):
            return "write"
    return None


def _scala_call(site: CallSite, method: str, out: Collector) -> None:
    first = site.string(0)
    mode = _mode(site.chain)
    if site.callee.endswith(("DeltaTable.forName", "DeltaTable.forPath")):
        value = site.string(1)
        if value is not None and method == "forName":
            out.add("tables", TableRef(site.line, value, "write", "DeltaTable.forName"))
        elif value is not None:
            out.add("paths", PathRef(site.line, value, "write", "DeltaTable.forPath"))
    elif first is None:
        return
    elif method == "table" and (mode == "read" or site.callee == "spark.table"):
        out.add("tables", TableRef(site.line, first, "read", "table"))
    elif method in TABLE_WRITES:
        out.add("tables", TableRef(site.line, first, "write", method))
    elif method in TEMP_VIEWS:
        out.temp_views.add(first)
    elif method in ("load", "save") or (method == "start" and mode == "write"):
        path_mode: Direction = "read" if method == "load" else "write"
        out.add("paths", PathRef(site.line, first, path_mode, method))
    elif method in FORMAT_METHODS and mode is not None:
        out.add("paths", PathRef(site.line, first, mode, method))
    elif method == "fit":
        out.add("ml", MlUse(site.line, None, site.callee.lstrip(".")))


def _r_call(site: CallSite, out: Collector) -> None:
    name = site.callee.split("::")[-1]
    strings = site.strings()
    if name in ("library", "require", "requireNamespace") and site.args:
        package = site.args[0][1][0]
        package_name = package.text() if package.kind == "string" else package.value
        if package_name not in R_PROVIDED:
            out.add("libraries", Library(site.line, package_name, "r"))
    elif name == "install.packages":
        first = site.arg(0, "pkgs") or ()
        for package in (t for t in first if t.kind == "string"):
            out.add("libraries", Library(site.line, package.text(), "r-install"))
    elif name in R_TABLE_READS | R_TABLE_WRITES and strings:
        table_mode: Direction = "read" if name in R_TABLE_READS else "write"
        out.add("tables", TableRef(site.line, strings[0], table_mode, name))
    elif name in TEMP_VIEWS and strings:
        out.temp_views.add(strings[0])
    else:
        _r_paths_and_ml(site, name, strings, out)


def _r_paths_and_ml(site: CallSite, name: str, strings: list[str], out: Collector) -> None:
    path = site.string(None, "path") or (strings[0] if strings else None)
    reads = name.startswith(("read.", "spark_read_")) or name == "loadDF"
    writes = name.startswith(("write.", "spark_write_")) or name == "saveDF"
    if path is not None and (reads or writes):
        out.add("paths", PathRef(site.line, path, "read" if reads else "write", name))
    if name.startswith("mlflow_"):
        out.add("ml", MlUse(site.line, "mlflow", name))
    elif name.startswith("ml_") or name == "xgb.train":
        out.add("ml", MlUse(site.line, "sparklyr" if name.startswith("ml_") else "xgboost", name))


def _streaming(site: CallSite, method: str, out: Collector) -> None:
    if method == "trigger":
        detail = ", ".join("".join(t.value for t in tokens) for _, tokens in site.args)
        out.add("streaming", StreamingUse(site.line, "trigger", detail))
    elif method == "format" and site.string(0) == "cloudFiles":
        out.add("streaming", StreamingUse(site.line, "autoloader", "cloudFiles"))
    elif method in ("read.stream", "write.stream"):
        kind = "readStream" if method == "read.stream" else "writeStream"
        out.add("streaming", StreamingUse(site.line, kind))
    checkpoint = site.string(None, "checkpointLocation")
    if method == "option" and site.string(0) == "checkpointLocation":
        checkpoint = site.string(1)
    if checkpoint is not None:
        out.add("streaming", StreamingUse(site.line, "checkpointLocation", checkpoint))
        out.add("paths", PathRef(site.line, checkpoint, "write", "checkpointLocation"))
