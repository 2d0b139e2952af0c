"""Whole-notebook analyses of realistic notebooks, one per language and format, compared
exactly: every finding with its line. Fixtures end in ``.txt`` so linters leave them alone;
the extension before it is the notebook's."""

from __future__ import annotations

import json
from pathlib import Path

from dabgen_ci.core.notebook.analyze import (
    Dependency,
    Library,
    MlUse,
    NotebookAnalysis,
    ParameterRef,
    PathRef,
    SecretRef,
    StreamingUse,
    TableRef,
    Widget,
    analyze_notebook,
)

FIXTURES = Path(__file__).parent / "fixtures"


def analyze_fixture(name: str) -> NotebookAnalysis:
    extension = name.split(".")[-1]
    return analyze_notebook((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"), extension)


def test_python_ingest_notebook() -> None:
    assert analyze_fixture("ingest_orders.py") == NotebookAnalysis(
        language="PYTHON",
        format="SOURCE",
        cells=10,
        languages=("PYTHON", "SQL"),
        libraries=(
            Library(8, "great-expectations", "pip", "==0.18.12"),
            Library(8, "azure-storage-blob", "pip", ">=12.19"),
            Library(8, "/Workspace/Shared/requirements.txt", "pip-requirements"),
            Library(28, "great_expectations", "import"),
            Library(29, "pandas", "import"),
        ),
        widgets=(
            Widget(17, "catalog", "text", "main", None, "Catalog"),
            Widget(18, "env", "dropdown", "dev", ("dev", "staging", "prod"), "Environment"),
            Widget(19, "region", "combobox", "emea", ("emea", "amer"), None),
            Widget(20, "sources", "multiselect", "web", ("web", "store"), "Sources"),
        ),
        parameter_refs=(
            ParameterRef(21, "catalog", "widgets.get"),
            ParameterRef(22, "env", "getArgument"),
        ),
        dependencies=(
            Dependency(12, "run", "./_shared/config", None, (("env", "dev"),)),
            Dependency(80, "notebook.run", "./publish_report", 600,
                       (("date", "2024-01-01"), ("env", "{env}"))),
        ),
        tables=(
            TableRef(47, "{catalog}.silver.customers", "read", "spark.table"),
            TableRef(48, "main.ref.fx_rates", "read", "spark.read.table"),
            TableRef(57, "{catalog}.silver.orders", "write", "toTable"),
            TableRef(63, "main.gold.daily_orders", "write", "MERGE INTO"),
            TableRef(64, "main.silver.orders", "read", "FROM"),
            TableRef(71, "main.gold.customer_ltv", "write", "DeltaTable.forName"),
            TableRef(72, "main.gold.customer_ltv", "write", "DELETE FROM"),
            TableRef(74, "main.gold.ltv_snapshot", "write", "saveAsTable"),
        ),
        paths=(
            PathRef(44, "/Volumes/main/ops/schemas/orders", "write", "cloudFiles.schemaLocation"),
            PathRef(45, "abfss://raw@contosolake.dfs.core.windows.net/orders/", "read", "load"),
            PathRef(55, "/Volumes/{catalog}/ops/checkpoints/orders", "write",
                    "checkpointLocation"),
            PathRef(73, "/mnt/legacy/ltv", "read", "load"),
            PathRef(75, "dbfs:/FileStore/exports/ltv.csv", "read", "dbutils.fs.cp"),
            PathRef(75, "s3://acme-exports/ltv/ltv.csv", "write", "dbutils.fs.cp"),
            PathRef(76, "/dbfs/FileStore/lookup/segments.csv", "read", "read_csv"),
        ),
        streaming=(
            StreamingUse(42, "autoloader", "cloudFiles"),
            StreamingUse(42, "readStream"),
            StreamingUse(54, "writeStream"),
            StreamingUse(55, "checkpointLocation", "/Volumes/{catalog}/ops/checkpoints/orders"),
            StreamingUse(56, "trigger", "availableNow=True"),
        ),
        secrets=(
            SecretRef(35, "kv-prod", "storage-account-key", "dbutils.secrets"),
            SecretRef(36, "jdbc", "password", "dbutils.secrets"),
            SecretRef(37, "kv-prod", "sas-token", "template"),
        ),
    )


def test_python_training_notebook() -> None:
    analysis = analyze_fixture("train_model.py")
    assert analysis.libraries == (
        Library(2, "xgboost", "pip", "==2.0.3"),
        Library(2, "scikit-learn", "pip"),
        Library(10, "mlflow", "import"),
        Library(12, "xgboost", "import"),
        Library(14, "sklearn", "import"),
    )
    assert analysis.ml == (
        MlUse(17, "mlflow", "mlflow.set_experiment"),
        MlUse(18, "mlflow", "mlflow.sklearn.autolog"),
        MlUse(24, "mlflow", "mlflow.start_run"),
        MlUse(26, "sklearn", "sklearn.ensemble.RandomForestClassifier.fit"),
        MlUse(27, "xgboost", "xgboost.train"),
        MlUse(28, "mlflow", "mlflow.sklearn.log_model"),
        MlUse(32, "mlflow", "mlflow.tracking.MlflowClient"),
        MlUse(33, "mlflow", "mlflow.register_model"),
        MlUse(34, "mlflow", "mlflow.tracking.MlflowClient.set_registered_model_alias"),
    )
    assert analysis.tables == (TableRef(22, "main.ml.churn_features", "read", "spark.table"),)
    assert (analysis.widgets, analysis.secrets, analysis.paths, analysis.notes) == ((),) * 4


def test_python_cell_that_does_not_parse_is_read_statement_by_statement() -> None:
    analysis = analyze_fixture("broken_cell.py")
    assert analysis.libraries == (
        Library(2, "requests", "import"),
        Library(4, "tqdm", "pip", "==4.66.1"),
    )
    assert analysis.parameter_refs == (ParameterRef(8, "threshold", "widgets.get"),)
    assert analysis.tables == (
        TableRef(5, "main.silver.orders", "read", "spark.table"),
        TableRef(10, "main.gold.big_orders", "write", "saveAsTable"),
    )
    assert analysis.notes == (
        "line 6: not valid Python (invalid syntax); analysed statement by statement",
    )


def test_sql_notebook() -> None:
    assert analyze_fixture("publish_gold.sql") == NotebookAnalysis(
        language="SQL",
        format="SOURCE",
        cells=5,
        languages=("PYTHON", "SQL"),
        widgets=(
            Widget(8, "catalog", "text", "main"),
            Widget(9, "mode", "dropdown", "incremental", ("incremental", "full")),
        ),
        parameter_refs=(
            ParameterRef(14, "catalog", ":param"),
            ParameterRef(17, "catalog", "${}"),
            ParameterRef(19, "run_date", ":param"),
            ParameterRef(40, "run_date", "getArgument"),
        ),
        tables=(
            TableRef(14, "{:catalog}.gold.daily_revenue", "write", "MERGE INTO"),
            TableRef(17, "${catalog}.silver.orders", "read", "FROM"),
            TableRef(18, "main.ref.fx_rates", "read", "JOIN"),
            TableRef(30, "main.silver.customer_events", "read", "FROM"),
            TableRef(33, "main.gold.latest_customer_event", "write", "INSERT OVERWRITE"),
            TableRef(39, "main.gold.daily_revenue", "write", "UPDATE"),
            TableRef(42, "main.gold.refund_archive", "write", "CREATE TABLE"),
            TableRef(46, "main.gold.daily_revenue", "write", "DELETE FROM"),
        ),
        paths=(
            PathRef(37, "/Volumes/main/landing/refunds/", "read", "read_files"),
            PathRef(43, "s3://acme-lake/gold/refund_archive", "write", "LOCATION"),
        ),
        secrets=(SecretRef(47, "warehouse", "api-token", "sql"),),
    )


def test_scala_notebook() -> None:
    assert analyze_fixture("Enrich.scala") == NotebookAnalysis(
        language="SCALA",
        format="SOURCE",
        cells=4,
        languages=("SCALA",),
        libraries=(Library(8, "com.crealytics.spark.excel", "scala"),),
        widgets=(
            Widget(10, "input_path", "text", "/mnt/raw/products.xlsx", None, "Input file"),
            Widget(11, "load_mode", "dropdown", "append", ("append", "overwrite")),
        ),
        parameter_refs=(ParameterRef(12, "input_path", "widgets.get"),),
        dependencies=(
            Dependency(2, "run", "../lib/Helpers"),
            Dependency(35, "notebook.run", "./notify", 120,
                       (("table", "main.silver.products"),)),
        ),
        tables=(
            TableRef(22, "main.ref.categories", "read", "table"),
            TableRef(24, "main.silver.products", "write", "saveAsTable"),
            TableRef(25, "main.silver.sales", "read", "FROM"),
            TableRef(29, "main.gold.product_stats", "write", "DeltaTable.forName"),
            TableRef(30, "main.silver.product_events", "read", "table"),
        ),
        paths=(
            PathRef(21, "/mnt/raw/products.xlsx", "read", "load"),
            PathRef(32, "dbfs:/checkpoints/product_events", "write", "checkpointLocation"),
            PathRef(34, "/mnt/gold/product_events", "write", "start"),
        ),
        streaming=(
            StreamingUse(30, "readStream"),
            StreamingUse(31, "writeStream"),
            StreamingUse(32, "checkpointLocation", "dbfs:/checkpoints/product_events"),
            StreamingUse(33, "trigger", 'Trigger.ProcessingTime("5 minutes")'),
        ),
        secrets=(SecretRef(13, "vendor", "api-key", "dbutils.secrets"),),
    )


def test_r_notebook() -> None:
    assert analyze_fixture("forecast.r") == NotebookAnalysis(
        language="R",
        format="SOURCE",
        cells=4,
        languages=("R",),
        libraries=(
            Library(2, "prophet", "r-install"),
            Library(2, "forecast", "r-install"),
            Library(7, "prophet", "r"),
            Library(8, "dplyr", "r"),
            Library(9, "lubridate", "r"),
        ),
        widgets=(
            Widget(11, "horizon_days", "text", "30", None, "Horizon (days)"),
            Widget(12, "store", "dropdown", "all", ("all", "north", "south")),
        ),
        parameter_refs=(ParameterRef(13, "horizon_days", "widgets.get"),),
        tables=(
            TableRef(19, "main.silver.daily_sales", "read", "tableToDF"),
            TableRef(20, "main.ref.stores", "read", "FROM"),
            TableRef(27, "main.gold.sales_forecast", "write", "saveAsTable"),
        ),
        paths=(
            PathRef(22, "/Volumes/main/ref/files/holidays.csv", "read", "read.df"),
            PathRef(28, "abfss://gold@acmelake.dfs.core.windows.net/forecast", "write",
                    "write.df"),
        ),
        ml=(MlUse(26, "mlflow", "mlflow_log_param"),),
        secrets=(SecretRef(14, "forecast", "api-token", "dbutils.secrets"),),
    )


def test_jupyter_notebook() -> None:
    assert analyze_fixture("score_customers.ipynb") == NotebookAnalysis(
        language="PYTHON",
        format="JUPYTER",
        cells=5,
        languages=("PYTHON", "SQL"),
        libraries=(
            Library(3, "lightgbm", "pip", "==4.3.0"),
            Library(5, "mlflow", "import"),
            Library(6, "lightgbm", "import"),
        ),
        widgets=(Widget(8, "model_alias", "text", "champion"),),
        parameter_refs=(ParameterRef(9, "model_alias", "widgets.get"),),
        dependencies=(Dependency(14, "run", "./helpers/scoring_utils"),),
        tables=(
            TableRef(12, "main.ml.scores", "write", "CREATE TABLE"),
            TableRef(13, "main.ml.churn_features", "read", "FROM"),
        ),
        ml=(MlUse(10, "mlflow", "mlflow.pyfunc.load_model"),),
    )


def test_to_dict_is_plain_json() -> None:
    data = analyze_fixture("ingest_orders.py").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["dependencies"][0] == {
        "line": 12, "kind": "run", "target": "./_shared/config", "timeout_seconds": None,
        "arguments": {"env": "dev"},
    }
    assert data["widgets"][1]["choices"] == ["dev", "staging", "prod"]
    assert data["secrets"][0] == {
        "line": 35, "scope": "kv-prod", "key": "storage-account-key", "syntax": "dbutils.secrets",
    }


def test_summary_properties() -> None:
    analysis = analyze_fixture("ingest_orders.py")
    assert analysis.tables_read == (
        "main.ref.fx_rates", "main.silver.orders", "{catalog}.silver.customers",
    )
    assert analysis.tables_written == (
        "main.gold.customer_ltv", "main.gold.daily_orders", "main.gold.ltv_snapshot",
        "{catalog}.silver.orders",
    )
    assert analysis.parameter_names == ("catalog", "env", "region", "sources")
