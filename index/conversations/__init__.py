"""Where conversations are kept: SQLite beside the index, or its PostgreSQL database."""
