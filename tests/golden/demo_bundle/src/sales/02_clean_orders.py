# Databricks notebook source
import great_expectations as gx
from pyspark.sql import functions as F

# COMMAND ----------

orders = spark.table("main.sales.orders_bronze")
clean = (
    orders.dropDuplicates(["order_id"])
    .filter(F.col("amount") > 0)
    .withColumn("order_date", F.to_date("created_at"))
)
clean.write.mode("overwrite").saveAsTable("main.sales.orders_silver")
