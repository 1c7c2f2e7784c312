-- 0005_spooled_pushes: pushes the post-receive hook could not write to the
-- database were spooled to files, each with an id (see DB.DrainSpool). The
-- daemon records a spooled push and its id in one transaction and removes
-- the file after the commit, so a file drained twice (after a crash between
-- the two) is recognised by its id and recorded once.
CREATE TABLE spooled_pushes (
  id         TEXT    PRIMARY KEY,
  push_id    INTEGER NOT NULL,
  drained_at INTEGER NOT NULL
) WITHOUT ROWID;
