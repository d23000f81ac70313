-- The table the hb-postgres peer writes to (created before it starts, by run-postgres.sh, for every round).
SET client_min_messages = warning;
DROP TABLE IF EXISTS events;
CREATE TABLE events (
  id BIGSERIAL PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  body JSONB NOT NULL);
