-- Databricks notebook source
CREATE OR REPLACE TABLE main.sales.daily_orders AS
SELECT order_date, region, count(*) AS orders, sum(amount) AS revenue
FROM main.sales.orders_silver
GROUP BY order_date, region
