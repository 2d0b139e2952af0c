"""Fixtures of the flow tests."""

from tests.flows.sync_support import world  # noqa: F401  (the sync tests' checkout)
