-- 0006_reserved: a placeholder on the templates branch only, which was
-- assigned 0007 while another branch owns 0006. The migration runner wants
-- versions without gaps, so this keeps 0007 testable here. Drop this file
-- when merging: the real 0006 takes its place.
SELECT 1;
