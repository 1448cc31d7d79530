-- Product images and files, daily views, purchases, reviews and wishlists (issue 9).
-- Same conventions as 0001: BIGINT unix-ms timestamps, TEXT ids.

-- The description rendered to sanitised HTML when it is written (not on every read), and the
-- rating kept beside the product: `rating_sum` / `rating_count` over its visible reviews,
-- changed by increments in the review's own transaction so concurrent reviews add up.
ALTER TABLE products ADD COLUMN description_html TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
CREATE INDEX products_featured ON products (featured, status);

-- A product's gallery, in `position` order (the first is its cover). `file` and `thumbnail`
-- are random names under the media folder's `products/`; the thumbnail is made by a job, so
-- it is NULL until then.
CREATE TABLE product_images (
    id         TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    file       TEXT NOT NULL,
    thumbnail  TEXT,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    bytes      BIGINT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX product_images_product ON product_images (product_id, position);

-- What a buyer downloads: stored under a random name in the private files folder (never
-- served as is); `name` is the file name the vendor uploaded, given back at download.
CREATE TABLE product_files (
    id         TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    stored     TEXT NOT NULL,
    bytes      BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX product_files_product ON product_files (product_id, created_at);

-- Views per product per UTC day (`day` = days since 1970-01-01), for the vendor's chart.
CREATE TABLE product_views (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    day        BIGINT NOT NULL,
    views      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, day)
);

-- Who owns which product: what makes a "verified buyer". Orders add rows when paid; an admin
-- may grant one. `source` says which ('order:{id}' or 'grant').
CREATE TABLE purchases (
    user_id    TEXT NOT NULL REFERENCES users (id),
    product_id TEXT NOT NULL REFERENCES products (id),
    source     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);

-- One review per buyer per product: 1–5 stars and text; the vendor may reply once; staff may
-- hide it (`hidden` = 1), which takes it out of the product's rating.
CREATE TABLE reviews (
    id         TEXT PRIMARY KEY NOT NULL,
    product_id TEXT NOT NULL REFERENCES products (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    rating     BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body       TEXT NOT NULL,
    hidden     BIGINT NOT NULL DEFAULT 0,
    reply      TEXT,
    replied_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX reviews_one_per_buyer ON reviews (product_id, user_id);
CREATE INDEX reviews_product ON reviews (product_id, hidden, created_at);
CREATE INDEX reviews_hidden ON reviews (hidden, created_at);

-- A signed-in person's saved products.
CREATE TABLE wishlist (
    user_id    TEXT NOT NULL REFERENCES users (id),
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX wishlist_user ON wishlist (user_id, created_at);
