-- Asking a provider again for a refund it refused (issue 10). Stripe and Razorpay keep the
-- first answer to an idempotency key — a refusal too — for about a day, so staff's "ask
-- again" after a failed refund needs a key of its own: round 1 is sent as
-- `agora-refund-{id}` (as before), round n as `agora-refund-{id}-{n}`. Within a round the key
-- stays the same, so a lost answer and the job's retry still refund once.
ALTER TABLE refunds ADD COLUMN round BIGINT NOT NULL DEFAULT 1;
