-- Refresh the revenue mart used by the finance dashboard.
MERGE INTO main.finance.revenue AS t
USING (SELECT order_date, region, sum(amount) AS revenue FROM main.sales.orders_silver GROUP BY ALL) AS s
ON t.order_date = s.order_date AND t.region = s.region
WHEN MATCHED THEN UPDATE SET t.revenue = s.revenue
WHEN NOT MATCHED THEN INSERT *;
