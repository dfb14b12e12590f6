"""Retrieval: a question to candidate passages and sentences (dense + keyword, fused)."""
