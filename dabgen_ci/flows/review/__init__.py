"""Review of a bundle change: checks, lint, deploy plan and the agent's risk summary."""
