-- Full-text search over products (issue 9): title, summary, description and tags. The SQL
-- that uses it is in one place (`app/src/catalog/search.rs`); each backend has its own index.

-- SQLite: an FTS5 table with one row per product, kept in step by the products service in the
-- same transaction as the product. `tags` is the product's tags joined by spaces. Diacritics
-- are kept, as PostgreSQL's 'simple' configuration keeps them, so both match the same words.
CREATE VIRTUAL TABLE products_fts USING fts5(
    product_id UNINDEXED,
    title,
    summary,
    description,
    tags,
    tokenize = 'unicode61 remove_diacritics 0'
);
