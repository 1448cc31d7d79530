-- Refunds at the payment provider (issue 10). A staff refund changes the order and the ledger
-- in one transaction and records here what the provider must give back; a job then asks the
-- provider (Stripe, Razorpay) with this row's id as the idempotency key, so a retry after a
-- lost answer never refunds twice. Sandbox refunds are accepted at once.

-- The provider's own id of the captured payment where refunds need it (Razorpay refunds a
-- `pay_…`, while its webhooks and our `reference` name the `order_…`).
ALTER TABLE payments ADD COLUMN provider_payment_id TEXT;

-- `status`: `pending` until the provider accepts the refund, `accepted` once it has (the money
-- is on its way back), `failed` when every attempt was refused — staff then refund by hand in
-- the provider's dashboard; `last_error` says why. `positions` is the refunded lines, as the
-- ledger's posting names them ("1,3").
CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY NOT NULL,
    order_id           TEXT NOT NULL REFERENCES orders (id),
    payment_id         TEXT NOT NULL REFERENCES payments (id),
    provider           TEXT NOT NULL,
    positions          TEXT NOT NULL,
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'accepted', 'failed')),
    provider_refund_id TEXT,
    last_error         TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id, created_at);
