-- 0003_sealed_secrets: hook secrets are encrypted at rest. secret holds a
-- sealed value ("v1:<key id>:<base64>", see internal/seal) when
-- secret_sealed is 1, and a plain-text secret from before this migration
-- when it is 0. SQL cannot encrypt, so the daemon seals the plain ones on
-- its first start with its key file (DB.SealSecrets); until then they are
-- read as they are. An empty secret (an unsigned hook) stays '' and 0.
ALTER TABLE hooks ADD COLUMN secret_sealed INTEGER NOT NULL DEFAULT 0;
