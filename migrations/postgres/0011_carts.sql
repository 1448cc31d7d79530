-- A signed-in buyer's cart (issue 10): one row per product, at most one of each (digital
-- goods). Prices are not stored: the cart is priced afresh on every view and at checkout.
CREATE TABLE cart_items (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
