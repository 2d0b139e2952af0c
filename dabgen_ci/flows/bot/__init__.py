"""The PR bot's use cases: issue command → PR, PR commands, delivery, failure replies."""
