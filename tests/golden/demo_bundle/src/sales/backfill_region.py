# Databricks notebook source
dbutils.widgets.text("region", "emea")
dbutils.widgets.text("start_date", "2024-01-01")

# COMMAND ----------

region = dbutils.widgets.get("region")
start = dbutils.widgets.get("start_date")
spark.sql(
    f"INSERT INTO main.sales.orders_silver SELECT * FROM main.archive.orders "
    f"WHERE region = '{region}' AND order_date >= '{start}'"
)
