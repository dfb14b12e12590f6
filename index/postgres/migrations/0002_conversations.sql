-- Conversations shared by every API process on this database.
CREATE TABLE conversations (id TEXT PRIMARY KEY, created TEXT NOT NULL);
CREATE TABLE turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    resolved_question TEXT NOT NULL,
    answered BOOLEAN NOT NULL,
    answer_entities TEXT NOT NULL,  -- JSON, as written (key order kept)
    result TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
