-- 0008_hook_health: endpoint health and the meta event of deleted hooks.
--
-- hooks: the current streak of failed attempts (fail_streak, since
-- failing_since), and the circuit breaker it opened: the hook's jobs wait
-- until breaker_until, and breaker_trips counts how often the breaker opened
-- in this streak (each opening waits longer). A 2xx answer, or re-enabling
-- the hook, zeroes them.
ALTER TABLE hooks ADD COLUMN fail_streak   INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hooks ADD COLUMN failing_since INTEGER;
ALTER TABLE hooks ADD COLUMN breaker_until INTEGER;
ALTER TABLE hooks ADD COLUMN breaker_trips INTEGER NOT NULL DEFAULT 0;
CREATE INDEX hooks_breaker ON hooks (breaker_until) WHERE breaker_until IS NOT NULL;

-- farewells: the meta event (action deleted) of a deleted hook, sent once,
-- best effort. The hook's row is gone, so a farewell keeps what the sender
-- needs: the hook's id, scope and config (its secret sealed with additional
-- data "farewells.secret:<id>") and the frozen payload. It is leased like a
-- job (state 0 queued, 1 leased) and deleted once tried.
CREATE TABLE farewells (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  hook_id       INTEGER NOT NULL,           -- no foreign key: the hook is deleted
  owner         TEXT    NOT NULL,
  repo          TEXT    NOT NULL,
  repo_id       INTEGER NOT NULL,
  owner_id      INTEGER NOT NULL,
  url           TEXT    NOT NULL,
  content_type  TEXT    NOT NULL,
  secret        TEXT    NOT NULL,
  secret_sealed INTEGER NOT NULL,
  insecure_ssl  INTEGER NOT NULL,
  guid          TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  action        TEXT    NOT NULL,
  payload       BLOB    NOT NULL,
  created_at    INTEGER NOT NULL,
  state         INTEGER NOT NULL,
  run_at        INTEGER NOT NULL,
  lease_owner   TEXT,
  lease_token   INTEGER,
  lease_until   INTEGER
);
CREATE INDEX farewells_ready ON farewells (run_at, id) WHERE state = 0;
CREATE INDEX farewells_leased ON farewells (lease_until) WHERE state = 1;
