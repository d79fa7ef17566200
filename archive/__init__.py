"""The raw WARC archive, the SQLite schema and loading, and rebuilding the database from the archive."""
