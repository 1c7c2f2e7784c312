-- 0003_spooled_pushes: pushes a post-receive hook could not write to the
-- database were spooled to files, each with an id (see DB.DrainSpool), as
-- the SQLite store's 0005. A daemon records a spooled push and its id in one
-- transaction and removes the file after the commit, so a file drained twice
-- (after a crash between the two, or by two daemons reading one shared
-- repository) is recognised by its id and recorded once.
CREATE TABLE spooled_pushes (
  id         text   PRIMARY KEY,
  push_id    bigint NOT NULL,
  drained_at bigint NOT NULL
);
