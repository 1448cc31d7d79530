-- Vendor storefronts (issue 9). Same conventions as 0001: BIGINT unix-ms timestamps.

-- One storefront per account: the application and, once approved, the store itself. A
-- rejected applicant edits the same row and applies again. `store_key` is the lower-cased
-- store name and carries its uniqueness ("Acme" and "ACME" are one store); `slug` is the
-- storefront's address, `/vendors/{slug}`. `payout_details` (a PayPal address or bank details)
-- is shown only to the vendor and to admins.
CREATE TABLE vendors (
    id               TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id),
    store_name       TEXT NOT NULL,
    store_key        TEXT NOT NULL,
    slug             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    website          TEXT,
    contact_email    TEXT NOT NULL,
    payout_method    TEXT NOT NULL CHECK (payout_method IN ('paypal', 'bank')),
    payout_details   TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected')),
    rejection_reason TEXT,
    decided_at       BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX vendors_user_id ON vendors (user_id);
CREATE UNIQUE INDEX vendors_store_key ON vendors (store_key);
CREATE UNIQUE INDEX vendors_slug ON vendors (slug);
CREATE INDEX vendors_status ON vendors (status, created_at);
