-- What the Slack bot remembers, shared by every API process (one Slack app, many replicas).
CREATE TABLE slack_seen_events (event_id TEXT PRIMARY KEY, received TEXT NOT NULL);
CREATE TABLE slack_threads (
    channel TEXT NOT NULL, thread_ts TEXT NOT NULL, conversation_id TEXT NOT NULL,
    PRIMARY KEY (channel, thread_ts));
CREATE TABLE slack_answers (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, resolved_question TEXT NOT NULL,
    conversation_id TEXT, answer_ids TEXT NOT NULL, result TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE slack_feedback (
    id BIGSERIAL PRIMARY KEY, answer_key TEXT NOT NULL REFERENCES slack_answers (key), vote TEXT NOT NULL,
    user_id TEXT NOT NULL, channel TEXT, created TEXT NOT NULL);
