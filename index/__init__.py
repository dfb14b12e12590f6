"""Index: embeddings, FAISS and keyword indexes, SQLite persistence."""
