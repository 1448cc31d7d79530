-- Products (issue 9). Same conventions as 0001: BIGINT unix-ms timestamps, money as BIGINT
-- minor units with its currency code beside it.

-- A vendor's product. `slug` is its address, `/products/{slug}`, unique across the catalog.
-- `status` moves draft → pending (submitted) → active | rejected (with `rejection_reason`);
-- only active products are public. `compare_at_amount`, when set, is above `price_amount`
-- (the service checks it). `featured` is staff's choice (0 or 1).
CREATE TABLE products (
    id                TEXT PRIMARY KEY NOT NULL,
    vendor_id         TEXT NOT NULL REFERENCES vendors (id),
    category_id       TEXT NOT NULL REFERENCES categories (id),
    title             TEXT NOT NULL,
    slug              TEXT NOT NULL,
    summary           TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    price_amount      BIGINT NOT NULL CHECK (price_amount >= 0),
    compare_at_amount BIGINT,
    currency          TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'pending', 'active', 'rejected')),
    rejection_reason  TEXT,
    featured          BIGINT NOT NULL DEFAULT 0,
    view_count        BIGINT NOT NULL DEFAULT 0,
    published_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX products_slug ON products (slug);
CREATE INDEX products_vendor ON products (vendor_id, created_at);
CREATE INDEX products_status ON products (status, published_at);
CREATE INDEX products_category ON products (category_id, status);

-- A product's tags (lower-case words joined by dashes), for filtering.
CREATE TABLE product_tags (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (product_id, tag)
);
CREATE INDEX product_tags_tag ON product_tags (tag);
