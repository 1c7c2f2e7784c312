-- 0001_init: forgehook's first schema. Times are unix milliseconds. Ids are
-- AUTOINCREMENT: hook, delivery, repository and account ids are shown to API
-- clients and put in payloads, so an id must never come back after its row
-- is deleted.

-- meta holds the database's counters in one row. lease_seq is the last
-- fencing token handed out by a claim; it only grows.
CREATE TABLE meta (
  id        INTEGER PRIMARY KEY CHECK (id = 1),
  lease_seq INTEGER NOT NULL
);
INSERT INTO meta (id, lease_seq) VALUES (1, 0);

-- accounts gives users and organizations stable ids on first sight. Whether
-- an account is an organization is computed when read: it owns an
-- organization hook.
CREATE TABLE accounts (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  login      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
  created_at INTEGER NOT NULL
);

-- repos gives repositories stable ids and a first-seen time.
CREATE TABLE repos (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  owner      TEXT    NOT NULL COLLATE NOCASE,
  name       TEXT    NOT NULL COLLATE NOCASE,
  created_at INTEGER NOT NULL,
  UNIQUE (owner, name)
);

-- hooks are repository hooks, or organization hooks when repo is ''.
CREATE TABLE hooks (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  owner        TEXT    NOT NULL COLLATE NOCASE,
  repo         TEXT    NOT NULL COLLATE NOCASE,
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
CREATE INDEX hooks_owner_repo ON hooks (owner, repo);

-- pushes are recorded by post-receive and turned into events by the daemon.
CREATE TABLE pushes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  git_dir     TEXT    NOT NULL,
  pusher      TEXT    NOT NULL,
  updates     TEXT    NOT NULL,             -- JSON array of {before, after, ref}
  received_at INTEGER NOT NULL,
  state       INTEGER NOT NULL,             -- 0 queued, 1 leased, 2 done, 3 failed
  run_at      INTEGER NOT NULL,
  attempts    INTEGER NOT NULL,
  lease_owner TEXT,
  lease_token INTEGER,
  lease_until INTEGER,
  error       TEXT
);
-- Claims take pushes in id order; the queued and leased sets are small.
CREATE INDEX pushes_ready  ON pushes (id) WHERE state = 0;
CREATE INDEX pushes_leased ON pushes (id) WHERE state = 1;

-- events hold each payload once, shared by every job and attempt.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  guid       TEXT    NOT NULL UNIQUE,
  owner      TEXT    NOT NULL COLLATE NOCASE,
  repo       TEXT    NOT NULL COLLATE NOCASE,
  repo_id    INTEGER NOT NULL,
  owner_id   INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  payload    BLOB    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX events_latest ON events (owner, repo, name, id);

-- jobs are the delivery queue: one per event and hook, plus redeliveries.
CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id    INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  hook_id     INTEGER NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
  state       INTEGER NOT NULL,             -- 0 queued, 1 leased, 2 succeeded, 3 failed
  run_at      INTEGER NOT NULL,
  attempts    INTEGER NOT NULL,
  redelivery  INTEGER NOT NULL,
  lease_owner TEXT,
  lease_token INTEGER,
  lease_until INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX jobs_ready  ON jobs (run_at, id)  WHERE state = 0;
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 1;
CREATE INDEX jobs_hook   ON jobs (hook_id);
CREATE INDEX jobs_event  ON jobs (event_id);
CREATE UNIQUE INDEX jobs_fanout ON jobs (event_id, hook_id) WHERE redelivery = 0;

-- deliveries are attempts, as GitHub's API shows them. The request payload
-- is not copied: it is the event's. job_id has no foreign key because
-- finished jobs are pruned before their history.
CREATE TABLE deliveries (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id           INTEGER NOT NULL,
  event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  hook_id          INTEGER NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
  guid             TEXT    NOT NULL,
  repo_id          INTEGER NOT NULL,
  event            TEXT    NOT NULL,
  action           TEXT    NOT NULL,
  redelivery       INTEGER NOT NULL,
  url              TEXT    NOT NULL,
  delivered_at     INTEGER NOT NULL,
  duration_ns      INTEGER NOT NULL,
  status           TEXT    NOT NULL,
  status_code      INTEGER NOT NULL,        -- 0: no HTTP response
  request_headers  TEXT,                    -- JSON object of strings
  response_headers TEXT,                    -- JSON object of strings
  response_body    TEXT    NOT NULL
);
CREATE INDEX deliveries_hook  ON deliveries (hook_id, id DESC);
CREATE INDEX deliveries_event ON deliveries (event_id);

-- tokens authenticate API callers. Only the sha256 of a token is stored.
CREATE TABLE tokens (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  hash         TEXT    NOT NULL UNIQUE,     -- hex sha256 of the token
  login        TEXT    NOT NULL,
  repos        TEXT    NOT NULL,            -- JSON array of "owner/name" or "owner/*"
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
