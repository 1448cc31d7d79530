-- The one double-entry ledger (PRODUCT.md §4, issue 10). A transaction is a set of entries
-- whose amounts (minor units, signed: added to the account's balance) sum to zero per
-- currency; its idempotency key is unique per source event (an order's payment, a refund, a
-- payout), so a retried event posts nothing twice. Balances are sums of entries, never
-- stored. Rows are written by `ledger::service::post` only, and never changed.
CREATE TABLE ledger_transactions (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    memo            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE ledger_entries (
    transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
    position       INTEGER NOT NULL,
    account        TEXT NOT NULL,
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, position)
);

-- An account's balance is a sum over its entries.
CREATE INDEX ledger_entries_account ON ledger_entries (account, currency);
