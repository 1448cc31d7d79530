-- Accounts, browser sessions, API credentials, emailed tokens, the job queue and the
-- development outbox (issue 3). Same conventions as 0001: BIGINT unix-ms timestamps, JSON as TEXT.

-- People. `id` is an opaque UUID (public ids must not be enumerable). `email` keeps what the
-- person typed; `email_key` is its lower-cased form and carries the uniqueness, so
-- "Ann@x.io" and "ann@x.io" are one account. A soft-deleted account frees its email by
-- rewriting `email_key` to "deleted:<id>".
CREATE TABLE users (
    id                 TEXT PRIMARY KEY NOT NULL,
    email              TEXT NOT NULL,
    email_key          TEXT NOT NULL,
    password_hash      TEXT NOT NULL,
    first_name         TEXT NOT NULL,
    last_name          TEXT NOT NULL,
    phone              TEXT,
    bio                TEXT NOT NULL DEFAULT '',
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    language           TEXT NOT NULL DEFAULT 'en',
    avatar             TEXT,
    notification_prefs TEXT NOT NULL DEFAULT '{}',
    role               TEXT NOT NULL DEFAULT 'user'
                       CHECK (role IN ('user', 'vendor', 'manager', 'admin')),
    status             TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'suspended', 'deleted')),
    email_verified_at  BIGINT,
    referral_code      TEXT NOT NULL,
    -- The referral code given at sign-up; the rewards feature credits its owner later.
    referred_by_code   TEXT,
    last_login_at      BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT
);
CREATE UNIQUE INDEX users_email_key ON users (email_key);
CREATE UNIQUE INDEX users_referral_code ON users (referral_code);
CREATE INDEX users_role ON users (role, created_at);
CREATE INDEX users_status ON users (status, created_at);
CREATE INDEX users_created_at ON users (created_at);

-- Browser sessions (the tower-sessions store). `data` is the session's JSON; `user_id`,
-- `ip` and `user_agent` are copied out of it on save so "your active sessions" and "end
-- this user's sessions" are plain queries.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    data         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id, last_seen_at);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Single-use emailed tokens (verify an email, reset a password). Only a SHA-256 of the
-- token is stored; `email` is the address a verification token proves.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email      TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- API sign-ins: one family per `POST /auth/login`; every refresh rotates the token inside
-- the family, and presenting an already-used token revokes the whole family.
CREATE TABLE token_families (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip         TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX token_families_user ON token_families (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    family_id  TEXT NOT NULL REFERENCES token_families (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Personal API keys: shown once, stored as a SHA-256; `prefix` is the visible start.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);

-- The durable job queue. A worker claims a job by moving `locked_until` forward in one
-- conditional UPDATE; a crashed worker's job becomes claimable again when the lock lapses.
-- Failures are retried with exponential backoff until `max_attempts`, then kept as 'failed'.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- Emails "sent" when no SMTP relay is configured, listed at /admin/outbox.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_recipient ON outbox (recipient, id);

-- Server-held secrets generated on first start (the access-token signing key), shared by
-- every instance through the database. Never shown anywhere.
CREATE TABLE secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
