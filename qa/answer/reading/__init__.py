"""Readers: each reads a question's candidates and gives every one a rank and a confidence."""
