# Databricks notebook source
# MAGIC %md
# MAGIC Shared data-quality checks, used by several jobs.

# COMMAND ----------

dbutils.widgets.text("table", "")
table = dbutils.widgets.get("table")
df = spark.table(table)
assert df.count() > 0, f"{table} is empty"
