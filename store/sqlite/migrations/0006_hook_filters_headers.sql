-- 0006_hook_filters_headers: forgehook's additions to a hook's config.
-- branch_filter is config.branch_filter (a glob; '' for every ref).
-- headers is config.headers, the custom headers sent with each delivery: a
-- JSON object sealed like the secret (see internal/seal; additional data
-- "hooks.headers:<id>"), or '' for none. Header values may be credentials,
-- so they are never stored in plain text.
-- signature is config.signature: '' (GitHub's signatures only) or
-- 'standard-webhooks'.
ALTER TABLE hooks ADD COLUMN branch_filter TEXT NOT NULL DEFAULT '';
ALTER TABLE hooks ADD COLUMN headers TEXT NOT NULL DEFAULT '';
ALTER TABLE hooks ADD COLUMN signature TEXT NOT NULL DEFAULT '';
