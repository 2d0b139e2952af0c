"""GitHub adapters of the PR bot: the event context, a thin REST client, the tracking comment."""
