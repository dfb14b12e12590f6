"""Chat-style conversations: follow-up questions understood from earlier turns."""
