"""What the Slack bot remembers, beside the index: SQLite, or its PostgreSQL database."""
