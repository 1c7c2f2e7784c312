-- 0007_hook_templates: a hook's request template (config.template), as the
-- JSON of hooks.TemplateJSON; '' for none, which sends GitHub's request.
ALTER TABLE hooks ADD COLUMN template TEXT NOT NULL DEFAULT '';
