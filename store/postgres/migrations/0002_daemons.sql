-- 0002: several daemons and git servers on one database.

-- daemons are the running forgehook serve processes, by the boot id they
-- lease work as. Each reports every few seconds; the leases of a daemon
-- that stopped reporting are freed by the others. Times are the server's
-- clock (unix milliseconds), so that the machines' clocks need not agree.
CREATE TABLE daemons (
  owner      text   PRIMARY KEY,
  node       text   NOT NULL,
  started_at bigint NOT NULL,
  last_seen  bigint NOT NULL
);

-- node is the git server a push was recorded on (post-receive --node):
-- only daemons of that node (serve --node) can read its repository, so
-- only they turn it into events.
ALTER TABLE pushes ADD COLUMN node text NOT NULL DEFAULT '';
DROP INDEX pushes_repo_queue;
CREATE INDEX pushes_repo_queue ON pushes (node, git_dir, id) WHERE state IN (0, 1);
