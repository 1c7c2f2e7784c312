-- 0004_hook_templates: a hook's request template (config.template), as the
-- JSON of hooks.TemplateJSON; '' for none, which sends GitHub's request.
-- SQLite's migration 0007 adds the same column.
ALTER TABLE hooks ADD COLUMN template text NOT NULL DEFAULT '';
