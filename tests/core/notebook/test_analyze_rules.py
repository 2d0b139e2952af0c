"""Focused rules of the notebook analysis: cell splitting, SQL lexing traps, Python
evaluation, magics and the error paths."""

from __future__ import annotations

import json
from pathlib import Path
from random import Random

import pytest

from dabgen_ci.core.notebook.analyze import (
    Dependency,
    Library,
    MlUse,
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
    analyze_notebook,
)
from dabgen_ci.errors import BadInputError

PY = "# Databricks notebook source\n"
SEP = "\n# COMMAND ----------\n"


def sql(text: str):
    return analyze_notebook(text, "SQL")


# --- cells and formats ---------------------------------------------------------------


def test_header_decides_the_cell_language_over_a_wrong_argument() -> None:
    source = "-- Databricks notebook source\nSELECT * FROM a.b\n"
    analysis = analyze_notebook(source, "PYTHON")
    assert analysis.language == "SQL"
    assert analysis.tables == (TableRef(2, "a.b", "read", "FROM"),)


def test_magic_cells_dbtitle_and_markdown() -> None:
    source = (
        PY + "# DBTITLE 1,Load\n# MAGIC %sql\n# MAGIC\n# MAGIC SELECT * FROM s.t\n" + SEP
        + "# MAGIC %md\n# MAGIC spark.table('in.markdown')\n" + SEP
        + "# MAGIC %sh\n# MAGIC pip install not-counted\n" + SEP
        + "# MAGIC %scala\n# MAGIC spark.table(\"x.y\")\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.tables == (
        TableRef(5, "s.t", "read", "FROM"),
        TableRef(17, "x.y", "read", "table"),
    )
    assert analysis.languages == ("SCALA", "SQL")
    assert analysis.cells == 4
    assert analysis.libraries == ()


def test_language_aliases_and_errors() -> None:
    for language in ("PYTHON", "python", "py", ".py"):
        assert analyze_notebook("import requests", language).libraries == (
            Library(1, "requests", "import"),
        )
    with pytest.raises(BadInputError, match="unknown notebook language 'cobol'"):
        analyze_notebook("x", "cobol")
    with pytest.raises(BadInputError, match="not a Jupyter notebook"):
        analyze_notebook("import os", "ipynb")


def test_jupyter_language_comes_from_metadata_and_source_may_be_a_string() -> None:
    notebook = {
        "cells": [{"cell_type": "code", "source": "SELECT *\nFROM main.s.t"}],
        "metadata": {"application/vnd.databricks.v1+notebook": {"language": "sql"}},
    }
    analysis = analyze_notebook(json.dumps(notebook), "ipynb")
    assert (analysis.language, analysis.format) == ("SQL", "JUPYTER")
    assert analysis.tables == (TableRef(2, "main.s.t", "read", "FROM"),)


def test_crlf_sources_keep_line_numbers() -> None:
    source = PY.replace("\n", "\r\n") + "x = 1\r\nspark.table('a.b')\r\n"
    assert analyze_notebook(source, "py").tables == (TableRef(3, "a.b", "read", "spark.table"),)


# --- magics ---------------------------------------------------------------------------


def test_pip_flags_wheels_urls_and_continuations() -> None:
    source = (
        PY + "# MAGIC %pip install --upgrade -i https://pypi.example/simple pandas[sql]>=2 \\\n"
        "# MAGIC   /Volumes/main/libs/whl/acme-1.0-py3-none-any.whl \\\n"
        "# MAGIC   git+https://github.com/acme/tool.git -e ./local_pkg --no-deps\n" + SEP
        + "%pip uninstall -y pandas\n"
    )
    assert analyze_notebook(source, "py").libraries == (
        Library(2, "pandas", "pip", "[sql]>=2"),
        Library(2, "/Volumes/main/libs/whl/acme-1.0-py3-none-any.whl", "pip"),
        Library(2, "git+https://github.com/acme/tool.git", "pip"),
        Library(2, "./local_pkg", "pip"),
    )


def test_run_with_quoted_target_and_arguments_in_sql_notebook() -> None:
    source = '-- Databricks notebook source\n-- MAGIC %run "./shared/my setup" $env="prod" $x=1\n'
    assert analyze_notebook(source, "sql").dependencies == (
        Dependency(2, "run", "./shared/my setup", None, (("env", "prod"), ("x", "1"))),
    )


# --- SQL ------------------------------------------------------------------------------


def test_sql_ignores_comments_strings_casts_and_json_paths() -> None:
    analysis = sql(
        "-- SELECT * FROM commented.out\n"
        "/* FROM block.comment */\n"
        "SELECT 'FROM quoted.text', a::int, raw:field, ${spark.conf.value}\n"
        "FROM `my catalog`.`sales`.orders o, main.s.customers AS c\n"
        "WHERE o.x = :min_amount AND EXTRACT(YEAR FROM o.ts) = 2024"
    )
    assert analysis.tables == (
        TableRef(4, "my catalog.sales.orders", "read", "FROM"),
        TableRef(4, "main.s.customers", "read", "FROM"),
    )
    assert analysis.parameter_refs == (ParameterRef(5, "min_amount", ":param"),)


def test_sql_ctes_and_temp_views_are_not_tables() -> None:
    analysis = sql(
        "WITH a AS (SELECT * FROM main.s.src), b AS (SELECT * FROM a)\n"
        "SELECT * FROM b JOIN main.s.dim USING (id);\n"
        "CREATE TEMP VIEW v AS SELECT 1;\n"
        "SELECT * FROM v; DROP VIEW v"
    )
    assert analysis.tables == (
        TableRef(1, "main.s.src", "read", "FROM"),
        TableRef(2, "main.s.dim", "read", "JOIN"),
    )


def test_temp_view_from_python_is_local_to_the_notebook() -> None:
    source = PY + "df.createOrReplaceTempView('staged')\n" + SEP + "# MAGIC %sql\n" \
        "# MAGIC INSERT INTO main.s.t SELECT * FROM staged\n"
    assert analyze_notebook(source, "py").tables == (
        TableRef(6, "main.s.t", "write", "INSERT INTO"),
    )


def test_sql_write_statements_and_paths() -> None:
    analysis = sql(
        "CREATE OR REPLACE STREAMING TABLE main.s.events AS SELECT * FROM STREAM(main.s.raw);\n"
        "CREATE MATERIALIZED VIEW main.s.mv AS SELECT * FROM main.s.events;\n"
        "INSERT INTO TABLE ${env}_bronze.logs SELECT * FROM json.`/mnt/logs/2024`;\n"
        "INSERT OVERWRITE DIRECTORY 's3://b/export' USING parquet SELECT 1;\n"
        "COPY INTO main.s.raw FROM 'abfss://c@a.dfs.core.windows.net/in' FILEFORMAT = JSON;\n"
        "TRUNCATE TABLE main.s.tmp; DROP TABLE IF EXISTS main.s.old; OPTIMIZE main.s.events;\n"
        "ALTER TABLE main.s.events SET LOCATION 'dbfs:/x'; VACUUM delta.`/mnt/d/t`"
    )
    assert analysis.tables == (
        TableRef(1, "main.s.events", "write", "CREATE STREAMING TABLE"),
        TableRef(1, "main.s.raw", "read", "STREAM"),
        TableRef(2, "main.s.mv", "write", "CREATE MATERIALIZED VIEW"),
        TableRef(2, "main.s.events", "read", "FROM"),
        TableRef(3, "${env}_bronze.logs", "write", "INSERT INTO"),
        TableRef(5, "main.s.raw", "write", "COPY INTO"),
        TableRef(6, "main.s.tmp", "write", "TRUNCATE TABLE"),
        TableRef(6, "main.s.old", "write", "DROP TABLE"),
        TableRef(6, "main.s.events", "write", "OPTIMIZE"),
        TableRef(7, "main.s.events", "write", "ALTER TABLE"),
    )
    assert analysis.paths == (
        PathRef(3, "/mnt/logs/2024", "read", "FROM"),
        PathRef(4, "s3://b/export", "write", "INSERT OVERWRITE DIRECTORY"),
        PathRef(5, "abfss://c@a.dfs.core.windows.net/in", "read", "FROM"),
        PathRef(7, "dbfs:/x", "write", "LOCATION"),
        PathRef(7, "/mnt/d/t", "write", "VACUUM"),
    )
    assert analysis.streaming == (StreamingUse(1, "readStream", "main.s.raw"),)
    assert analysis.parameter_refs == (ParameterRef(3, "env", "${}"),)


def test_sql_secret_templates_and_widget_without_default() -> None:
    analysis = sql(
        "CREATE WIDGET TEXT `start date`;\n"
        "CREATE TABLE t USING jdbc OPTIONS (password '{{secrets/jdbc/pw}}', url 'x')"
    )
    assert analysis.widgets == (Widget(1, "start date", "text", None),)
    assert analysis.secrets == (SecretRef(2, "jdbc", "pw", "template"),)
    assert analysis.tables == (TableRef(2, "t", "write", "CREATE TABLE"),)


# --- Python ---------------------------------------------------------------------------


def test_python_constants_cross_cells_and_sql_from_variables() -> None:
    source = (
        PY + "base = '/mnt/raw'\ntable = 'main.s.t'\n" + SEP
        + "query = f'''\nSELECT *\nFROM {table}\n'''\n"
        + "df = spark.sql(query)\n"
        + "spark.sql(\"\"\"\n  SELECT 1\n  FROM main.s.other\"\"\")\n"
        + "reader = spark.read.format('csv')\nreader.csv(base + '/x.csv')\n"
        + "df.write.json(f'{base}/out')\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.tables == (
        TableRef(10, "main.s.t", "read", "FROM"),  # SQL from a variable: the call's line
        TableRef(13, "main.s.other", "read", "FROM"),  # SQL in place: its own line
    )
    assert analysis.paths == (
        PathRef(15, "/mnt/raw/x.csv", "read", "csv"),
        PathRef(16, "/mnt/raw/out", "write", "json"),
    )


def test_python_dynamic_values_are_shown_as_source() -> None:
    source = (
        "name = dbutils.widgets.get('table')\n"
        "spark.table(name)\n"
        "dbutils.widgets.text('day', default_day())\n"
        "dbutils.secrets.get(scope=env_scope, key='token')\n"
        "dbutils.notebook.run(child, timeout_seconds=60)\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.tables == (TableRef(2, "{name}", "read", "spark.table"),)
    assert analysis.widgets == (Widget(3, "day", "text", None),)
    assert analysis.secrets == (SecretRef(4, None, "token", "dbutils.secrets"),)
    assert analysis.dependencies == (Dependency(5, "notebook.run", "{child}", 60),)


def test_python_imports_exclude_stdlib_provided_and_relative() -> None:
    source = (
        "import os, sys\nimport pyspark.sql.functions as F\nfrom delta.tables import *\n"
        "from databricks.sdk import WorkspaceClient\nfrom . import local\n"
        "from .helpers import x\nimport numpy as np\nfrom IPython.display import HTML\n"
    )
    assert analyze_notebook(source, "py").libraries == (Library(7, "numpy", "import"),)


def test_python_streaming_options_and_untracked_fit() -> None:
    source = (
        "q = (df.writeStream.options(checkpointLocation='/Volumes/c/s/v/cp', path='/mnt/o')\n"
        "     .trigger(processingTime='1 minute').start())\n"
        "pipeline_model = pipeline.fit(train_df)\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.streaming == (  # same line: in discovery order (outer call first)
        StreamingUse(1, "checkpointLocation", "/Volumes/c/s/v/cp"),
        StreamingUse(1, "writeStream"),
        StreamingUse(2, "trigger", "processingTime='1 minute'"),
    )
    assert analysis.paths == (
        PathRef(1, "/Volumes/c/s/v/cp", "write", "checkpointLocation"),
        PathRef(1, "/mnt/o", "write", "option(path)"),
    )
    assert analysis.ml == (MlUse(3, None, "pipeline.fit"),)


def test_python_torch_and_pyspark_ml_training() -> None:
    source = (
        "import torch\nfrom pyspark.ml.classification import LogisticRegression\n"
        "opt = torch.optim.Adam(params)\nopt.step()\nmodel.train()\n"
        "LogisticRegression(maxIter=10).fit(df)\n"
    )
    assert analyze_notebook(source, "py").ml == (
        MlUse(4, "torch", "torch.optim.Adam.step"),
        MlUse(6, "pyspark.ml", "pyspark.ml.classification.LogisticRegression.fit"),
    )


def test_unused_path_literals_are_reported_as_unknown_once() -> None:
    source = "a = '/mnt/one'\nb = 's3://bucket/two'\nspark.read.load(b)\nc = '/mnt/one'\n"
    assert analyze_notebook(source, "py").paths == (
        PathRef(1, "/mnt/one", "unknown", "literal"),
        PathRef(3, "s3://bucket/two", "read", "load"),
    )


def test_tokenize_fallback_recovers_after_unclosed_strings_and_blocks() -> None:
    """After a statement tokenize cannot finish, reading restarts on the next line: a
    forgotten quote should not hide the rest of the cell."""
    source = (
        "x = 'unterminated\n"
        "for t in ['main.s.a']:\n"
        "    spark.table('main.s.b')\n"
        "print(\"\"\"never closed\n"
        "spark.table('after.the.quote')\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.tables == (
        TableRef(3, "main.s.b", "read", "spark.table"),
        TableRef(5, "after.the.quote", "read", "spark.table"),
    )
    assert analysis.notes == (
        "line 1: not valid Python (unterminated string literal (detected at line 1)); "
        "analysed statement by statement",
    )


def test_spark_sql_args_bind_markers_that_are_not_job_parameters() -> None:
    source = (
        "spark.sql('SELECT * FROM main.s.t WHERE id = :id', args={'id': 7})\n"
        "spark.sql('SELECT * FROM main.s.u WHERE day = :day')\n"
    )
    analysis = analyze_notebook(source, "py")
    assert analysis.parameter_refs == (ParameterRef(2, "day", ":param"),)
    assert analysis.tables_read == ("main.s.t", "main.s.u")


def test_odd_code_never_raises() -> None:
    """Truncated notebooks and random punctuation soup analyse without an exception."""
    fixtures = sorted((Path(__file__).parent / "fixtures").glob("*.txt"))
    for fixture in fixtures:
        source, language = fixture.read_text(encoding="utf-8"), fixture.name.split(".")[-2]
        language = "py" if language == "ipynb" else language
        for cut in range(0, len(source), 53):
            analyze_notebook(source[:cut] + "(" + source[cut:], language)
            analyze_notebook(source[cut:], language)
    generator = Random(7)
    for _ in range(200):
        text = "".join(generator.choice("ab_.()[]{}'\"`:$;,-/#%!\n =*") for _ in range(60))
        for language in ("PYTHON", "SQL", "SCALA", "R"):
            analyze_notebook(text, language)
