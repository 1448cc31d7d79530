-- The storefront's lists break ties by id in the sort's own direction (issue 9): with the id
-- at the end of these indexes, a list in their order is read along the index — a deep page
-- walks index entries instead of sorting every live product on each request.
DROP INDEX products_status;
CREATE INDEX products_status ON products (status, published_at, id);
DROP INDEX products_category_price;
CREATE INDEX products_category_price ON products (category_id, status, price_amount, id);
