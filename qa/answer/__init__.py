"""Answering: candidates from retrieved passages → scored, cited, deduplicated answers."""
