# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest orders
# MAGIC Loads raw order files from the landing zone into the bronze table.

# COMMAND ----------

dbutils.widgets.text("source", "s3://acme-landing/orders/", "Landing path")
dbutils.widgets.text("catalog", "main")

# COMMAND ----------

source = dbutils.widgets.get("source")
catalog = dbutils.widgets.get("catalog")

raw = spark.read.format("json").load(source)
raw.write.mode("append").saveAsTable(f"{catalog}.sales.orders_bronze")
