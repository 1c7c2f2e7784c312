-- 0005_hook_filters_headers: forgehook's additions to a hook's config, as
-- SQLite's migration 0006 adds them. branch_filter is config.branch_filter
-- (a glob; '' for every ref); headers is config.headers, a JSON object
-- sealed like the secret (additional data "hooks.headers:<id>"), or '' for
-- none; signature is config.signature ('' or 'standard-webhooks').
ALTER TABLE hooks ADD COLUMN branch_filter text NOT NULL DEFAULT '';
ALTER TABLE hooks ADD COLUMN headers text NOT NULL DEFAULT '';
ALTER TABLE hooks ADD COLUMN signature text NOT NULL DEFAULT '';
