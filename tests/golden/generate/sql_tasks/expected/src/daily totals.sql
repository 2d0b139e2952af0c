file /Workspace/Users/dina@example.com/reports/queries/daily totals.sql
