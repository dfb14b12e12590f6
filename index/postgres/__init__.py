"""The PostgreSQL + pgvector backend (`QA_STORE=postgres`)."""
