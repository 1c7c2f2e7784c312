-- 0004_push_progress: a push is turned into events a chunk of ref updates at
-- a time, round-robin between repositories, and one update whose commits
-- cannot be read no longer holds back the others.
--
-- pushes.next_ref: the updates before it were handled (or set aside to be
-- retried); the next chunk starts there.
ALTER TABLE pushes ADD COLUMN next_ref INTEGER NOT NULL DEFAULT 0;
-- Claims take each repository's unhandled pushes in id order.
CREATE INDEX pushes_repo_queue ON pushes (git_dir, id) WHERE state IN (0, 1);

-- push_refs: the ref updates of a push that failed at least once: retried
-- at run_at (state 0), read on a retry (2) or failed for good (3).
CREATE TABLE push_refs (
  push_id  INTEGER NOT NULL REFERENCES pushes (id) ON DELETE CASCADE,
  idx      INTEGER NOT NULL,                -- in the push's updates
  ref      TEXT    NOT NULL,
  state    INTEGER NOT NULL,
  run_at   INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  error    TEXT    NOT NULL,
  PRIMARY KEY (push_id, idx)
) WITHOUT ROWID;
CREATE INDEX push_refs_failed ON push_refs (push_id) WHERE state = 3;

-- ref_states: each repository's branches and tags just after push
-- after_push (0: before any push of it), as the push worker advances them;
-- commit lists are computed against them. ref_state_refs holds the refs.
CREATE TABLE ref_states (
  git_dir    TEXT    PRIMARY KEY,
  after_push INTEGER NOT NULL
);
CREATE TABLE ref_state_refs (
  git_dir TEXT NOT NULL REFERENCES ref_states (git_dir) ON DELETE CASCADE,
  ref     TEXT NOT NULL,
  object  TEXT NOT NULL,
  PRIMARY KEY (git_dir, ref)
) WITHOUT ROWID;
