-- Foundation tables. Conventions for every migration (both backends):
--   * timestamps are BIGINT unix milliseconds, UTC: the Any driver carries integers on both
--     backends, they sort and compare natively, and date arithmetic is plain addition;
--   * JSON documents are TEXT holding JSON;
--   * the same version number means the same change in migrations/postgres.

-- Site settings, one row per key. The value is JSON; a missing row means "the default",
-- which lives in code (app/src/settings/model.rs) next to the setting's type.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every staff action, append-only. `actor` and `target` are "kind:id" strings
-- ("system", "user:…", "setting:site_name") so one index answers both
-- "what did this person do" and "what happened to this thing".
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    details    TEXT NOT NULL DEFAULT '{}',
    ip         TEXT,
    request_id TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_target ON audit_log (target, at);
