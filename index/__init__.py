"""newsdesk's search library: ingest articles, split, embed, store and search sentences."""
