-- Orders, payments, downloads and payouts (issue 10). Same conventions as 0001: BIGINT unix-ms
-- timestamps, TEXT ids, money in integer minor units beside its currency.

-- An order: what a buyer placed, priced when placed (the lines keep the snapshot), and where
-- it stands. `idempotency_key` is the client's key for the placement: the same key from the
-- same buyer is the same order, however often it is sent. `matured_at` is set when the
-- vendors' earnings left the hold period (the ledger's `order:{id}:matured` posting).
CREATE TABLE orders (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    idempotency_key TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'completed', 'cancelled',
                                      'refunded', 'partially_refunded')),
    payment_status  TEXT NOT NULL DEFAULT 'pending'
                    CHECK (payment_status IN ('pending', 'paid', 'failed', 'refunded')),
    billing_name    TEXT NOT NULL,
    billing_country TEXT NOT NULL,
    currency        TEXT NOT NULL,
    subtotal_amount BIGINT NOT NULL,
    tax_rate_bps    BIGINT NOT NULL,
    tax_amount      BIGINT NOT NULL,
    total_amount    BIGINT NOT NULL,
    refunded_amount BIGINT NOT NULL DEFAULT 0,
    paid_at         BIGINT,
    matured_at      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX orders_idempotency ON orders (user_id, idempotency_key);
CREATE INDEX orders_user ON orders (user_id, created_at, id);
CREATE INDEX orders_status ON orders (status, created_at, id);

-- One product of an order at the price, tax and commission rate of the moment it was placed.
-- `refunded_at` is set when this line was refunded (refunds go line by line).
CREATE TABLE order_lines (
    order_id       TEXT NOT NULL REFERENCES orders (id),
    position       BIGINT NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id),
    vendor_id      TEXT NOT NULL REFERENCES vendors (id),
    title          TEXT NOT NULL,
    price_amount   BIGINT NOT NULL,
    tax_amount     BIGINT NOT NULL,
    commission_bps BIGINT NOT NULL,
    refunded_at    BIGINT,
    PRIMARY KEY (order_id, position)
);
CREATE INDEX order_lines_vendor ON order_lines (vendor_id, order_id);
CREATE INDEX order_lines_product ON order_lines (product_id);

-- A vendor's own commission rate; NULL means the site's `commission_rate_bps`.
ALTER TABLE vendors ADD COLUMN commission_bps BIGINT;

-- An attempt to pay an order through a provider. `reference` is the provider's id for it
-- (a Stripe PaymentIntent, a Razorpay order, a sandbox charge): how a webhook finds it.
-- `client_secret` is what Stripe's script in the buyer's browser confirms the intent with
-- (given to that buyer only), kept so a pending attempt is resumed rather than doubled.
CREATE TABLE payments (
    id              TEXT PRIMARY KEY NOT NULL,
    order_id        TEXT NOT NULL REFERENCES orders (id),
    provider        TEXT NOT NULL,
    reference       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'paid', 'failed')),
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    failure_code    TEXT,
    failure_message TEXT,
    client_secret   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX payments_reference ON payments (provider, reference);
CREATE INDEX payments_order ON payments (order_id, created_at);

-- Every provider event applied, by the provider's own event id: a delivery seen before
-- changes nothing again.
CREATE TABLE payment_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Downloads per order and file.
CREATE TABLE downloads (
    order_id      TEXT NOT NULL REFERENCES orders (id),
    file_id       TEXT NOT NULL REFERENCES product_files (id) ON DELETE CASCADE,
    count         BIGINT NOT NULL DEFAULT 0,
    last_at       BIGINT NOT NULL,
    PRIMARY KEY (order_id, file_id)
);

-- A vendor's request to be paid out of their available earnings. Requesting moves the amount
-- to the vendor's `payout` account (held); rejecting moves it back; marking paid moves it to
-- `payouts:paid`.
CREATE TABLE payouts (
    id          TEXT PRIMARY KEY NOT NULL,
    vendor_id   TEXT NOT NULL REFERENCES vendors (id),
    amount      BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'requested'
                CHECK (status IN ('requested', 'approved', 'rejected', 'paid')),
    reason      TEXT,
    reference   TEXT,
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    paid_at     BIGINT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX payouts_vendor ON payouts (vendor_id, created_at);
CREATE INDEX payouts_status ON payouts (status, created_at);
