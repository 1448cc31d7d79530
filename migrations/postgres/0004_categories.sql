-- The catalog's category tree (issue 9). Same conventions as 0001: BIGINT unix-ms timestamps.

-- A category and its place in the tree: `parent_id` NULL for a top-level one; siblings are
-- ordered by `position`, then name. `slug` is the category's address in catalog URLs
-- (`/products?category=automation`), unique across the tree. The service keeps the tree
-- acyclic and at most three levels deep, and refuses to delete a category that still has
-- subcategories (or, with the products of this issue, products).
CREATE TABLE categories (
    id          TEXT PRIMARY KEY NOT NULL,
    parent_id   TEXT REFERENCES categories (id),
    name        TEXT NOT NULL,
    slug        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX categories_slug ON categories (slug);
CREATE INDEX categories_parent ON categories (parent_id, position);
