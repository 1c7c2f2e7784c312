-- 0002_case_sensitive_names: logins and repository names become exact,
-- case-sensitive identities. acme/widgets.git and Acme/Widgets.git are two
-- repositories on disk, so they get two ids, two sets of hooks and two event
-- histories; 0001 compared them with COLLATE NOCASE and merged them.
--
-- SQLite cannot change a column's collation, so each table with such a
-- column is rebuilt as https://www.sqlite.org/lang_altertable.html#otheralter
-- describes: create new_X, copy every row with its id, drop X, rename new_X
-- to X, recreate X's indexes. The migration runner turns foreign keys off
-- around the transaction (so that dropping hooks and events does not cascade
-- into jobs and deliveries) and runs PRAGMA foreign_key_check before it
-- commits. Renaming new_X, which nothing references, leaves the REFERENCES
-- of jobs and deliveries pointing at "hooks" and "events", now the new tables.
--
-- Ids must never be reused, so each new table takes over its old table's
-- AUTOINCREMENT counter, which may be above the largest id left.
--
-- Repository hooks and events took their owner from the owner's account,
-- whose login kept the spelling it was first seen with, perhaps as a pusher
-- or a token's user: "Bob" for the directory bob/. Exact names would orphan
-- them, so they take the owner as repos spells it: as on disk.

CREATE TABLE new_accounts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  login      TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
INSERT INTO new_accounts (id, login, created_at) SELECT id, login, created_at FROM accounts;
DELETE FROM sqlite_sequence WHERE name = 'new_accounts';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_accounts', seq FROM sqlite_sequence WHERE name = 'accounts';
DROP TABLE accounts;
ALTER TABLE new_accounts RENAME TO accounts;

CREATE TABLE new_repos (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  owner      TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, name)
);
INSERT INTO new_repos (id, owner, name, created_at) SELECT id, owner, name, created_at FROM repos;
DELETE FROM sqlite_sequence WHERE name = 'new_repos';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_repos', seq FROM sqlite_sequence WHERE name = 'repos';
DROP TABLE repos;
ALTER TABLE new_repos RENAME TO repos;

CREATE TABLE new_hooks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  owner        TEXT    NOT NULL,
  repo         TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  events       TEXT    NOT NULL,            -- JSON array of event names
  active       INTEGER NOT NULL,
  url          TEXT    NOT NULL,
  content_type TEXT    NOT NULL,
  secret       TEXT    NOT NULL,
  insecure_ssl INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  last_code    INTEGER,                     -- NULL: no HTTP response
  last_status  TEXT    NOT NULL,            -- unused, active, misconfigured
  last_message TEXT
);
INSERT INTO new_hooks (id, owner, repo, name, events, active, url, content_type, secret,
  insecure_ssl, created_at, updated_at, last_code, last_status, last_message)
  SELECT id, coalesce((SELECT r.owner FROM repos r WHERE hooks.repo <> ''
    AND r.owner = hooks.owner COLLATE NOCASE AND r.name = hooks.repo COLLATE NOCASE), owner),
  repo, name, events, active, url, content_type, secret,
  insecure_ssl, created_at, updated_at, last_code, last_status, last_message FROM hooks;
DELETE FROM sqlite_sequence WHERE name = 'new_hooks';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_hooks', seq FROM sqlite_sequence WHERE name = 'hooks';
DROP TABLE hooks;
ALTER TABLE new_hooks RENAME TO hooks;
CREATE INDEX hooks_owner_repo ON hooks (owner, repo);

CREATE TABLE new_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  guid       TEXT    NOT NULL UNIQUE,
  owner      TEXT    NOT NULL,
  repo       TEXT    NOT NULL,
  repo_id    INTEGER NOT NULL,
  owner_id   INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  payload    BLOB    NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO new_events (id, guid, owner, repo, repo_id, owner_id, name, action, payload, created_at)
  SELECT id, guid, coalesce((SELECT r.owner FROM repos r
    WHERE r.owner = events.owner COLLATE NOCASE AND r.name = events.repo COLLATE NOCASE), owner),
  repo, repo_id, owner_id, name, action, payload, created_at FROM events;
DELETE FROM sqlite_sequence WHERE name = 'new_events';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_events', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE new_events RENAME TO events;
CREATE INDEX events_latest ON events (owner, repo, name, id);
