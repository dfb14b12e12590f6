-- citeqa index on PostgreSQL: documents, passages and sentences with pgvector embeddings.
-- {dimension} is the embedder's dimension, fixed when the database is first set up.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE index_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    published TEXT,
    author TEXT,
    lang TEXT NOT NULL,
    tags JSONB NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX documents_published ON documents (published);
CREATE TABLE passages (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    first_sentence INTEGER NOT NULL,
    last_sentence INTEGER NOT NULL,
    lang TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,      -- BM25 length normalisation
    tsv TSVECTOR NOT NULL,          -- keyword index over pre-segmented tokens (jieba for Chinese)
    embedding VECTOR({dimension}) NOT NULL
);
CREATE INDEX passages_document ON passages (document_id, idx);
CREATE INDEX passages_tsv ON passages USING gin (tsv);
CREATE INDEX passages_embedding ON passages USING hnsw (embedding vector_ip_ops);
CREATE TABLE sentences (
    id BIGSERIAL PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    lang TEXT NOT NULL,
    embedding VECTOR({dimension}) NOT NULL
);
CREATE INDEX sentences_document ON sentences (document_id, idx);
CREATE INDEX sentences_embedding ON sentences USING hnsw (embedding vector_ip_ops);
-- One row, kept in step with `passages` by every write (BM25 needs N and the mean length).
CREATE TABLE corpus_stats (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    passages BIGINT NOT NULL,
    tokens BIGINT NOT NULL
);
INSERT INTO corpus_stats VALUES (1, 0, 0);
