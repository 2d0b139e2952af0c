"""dabgen: Databricks jobs → validated Databricks Asset Bundles, delivered as pull requests."""

__version__ = "0.1.0"
