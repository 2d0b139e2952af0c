"""The bot's text (pure): comment grammar, routing decisions, tracking comments, markers."""
