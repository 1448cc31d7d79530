-- Full-text search over products (issue 9): title, summary, description and tags. The SQL
-- that uses it is in one place (`app/src/catalog/search.rs`); each backend has its own index.

-- PostgreSQL: a `tsvector` per product, weighted title > tags > summary > description, kept in
-- step by the products service in the same transaction as the product, with a GIN index.
-- ('simple' configuration: no stemming, so both backends match the same words.)
ALTER TABLE products ADD COLUMN search tsvector;
CREATE INDEX products_search ON products USING GIN (search);
