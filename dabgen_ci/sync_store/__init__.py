"""Where sync keeps and reads its files: the repository's bundle directories and shard artifacts."""
