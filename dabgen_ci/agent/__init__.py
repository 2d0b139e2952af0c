"""The Claude agent that refines bundles from free-form requests (claude-agent-sdk).

Importing this package does not import the SDK: the deterministic commands never need it.
An adapter: it knows no flow (the refine loop that drives it is `flows/refine.py`).
``auth`` (credential check), ``permissions`` and ``prompt`` are pure; ``options`` and
``runner`` wrap the SDK; ``files`` snapshots and restores a bundle directory.
"""
