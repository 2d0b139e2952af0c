"""Scheduled sync, pure parts: the base record, the job-level plan, YAML edits, the report."""
