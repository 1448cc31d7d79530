-- A category's live products by price (issue 9: the storefront's "category, by price" list
-- reads them in index order instead of sorting them on every request).
CREATE INDEX products_category_price ON products (category_id, status, price_amount);
