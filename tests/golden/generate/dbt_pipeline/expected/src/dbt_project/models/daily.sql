models/daily.sql
