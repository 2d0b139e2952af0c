"""Scheduled sync: the workspace merged into the repository's bundles, for every entry point."""
