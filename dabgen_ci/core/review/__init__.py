"""The review of a bundle pull request (pure): lint rules, the deploy plan, the rendering."""
