//! Full-text search over products — the one place with each backend's dialect: an FTS5 table
//! ranked by `bm25` on SQLite, a weighted `tsvector` ranked by `ts_rank` on PostgreSQL. Both
//! take the same words (runs of letters and digits, lower-cased, each matched as a prefix,
//! all required), so the two backends find the same products.

use crate::db::Backend;
use crate::error::AppError;
use crate::platform::types::Id;
use sqlx::AnyConnection;

/// The most words a search uses (more are ignored).
const MAX_WORDS: usize = 8;

/// The words of a search text: runs of letters and digits, lower-cased, at most
/// [`MAX_WORDS`]. Nothing else reaches the query, so no search text is query syntax.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .take(MAX_WORDS)
        .collect()
}

/// A ranked match of `words` as SQL: a join clause giving `s.rank` for matching products
/// (`p.id`), the `ORDER BY` term for best first, and the text to bind as `$n`.
pub fn matcher(backend: Backend, words: &[String], n: usize) -> (String, &'static str, String) {
    match backend {
        Backend::Sqlite => (
            format!(
                "JOIN (SELECT product_id, bm25(products_fts, 0.0, 10.0, 3.0, 1.0, 5.0) AS rank \
                 FROM products_fts WHERE products_fts MATCH ${n}) s ON s.product_id = p.id"
            ),
            "s.rank ASC",
            words
                .iter()
                .map(|word| format!("\"{word}\"*"))
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
        Backend::Postgres => (
            format!(
                "JOIN (SELECT id AS product_id, ts_rank(search, to_tsquery('simple', ${n})) AS rank \
                 FROM products WHERE search @@ to_tsquery('simple', ${n})) s ON s.product_id = p.id"
            ),
            "s.rank DESC",
            words
                .iter()
                .map(|word| format!("{word}:*"))
                .collect::<Vec<_>>()
                .join(" & "),
        ),
    }
}

/// What a product is found by.
pub struct Indexed<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    pub tags: &'a [String],
}

/// Indexes product `id` afresh; call it in the transaction that changed the product.
pub async fn index(
    conn: &mut AnyConnection,
    backend: Backend,
    id: &Id,
    product: Indexed<'_>,
) -> Result<(), AppError> {
    let tags = product.tags.join(" ");
    match backend {
        Backend::Sqlite => {
            unindex(conn, backend, id).await?;
            sqlx::query(
                "INSERT INTO products_fts (product_id, title, summary, description, tags) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(product.title)
            .bind(product.summary)
            .bind(product.description)
            .bind(&tags)
            .execute(conn)
            .await?;
        }
        Backend::Postgres => {
            sqlx::query(
                "UPDATE products SET search = \
                 setweight(to_tsvector('simple', $2), 'A') || \
                 setweight(to_tsvector('simple', $5), 'B') || \
                 setweight(to_tsvector('simple', $3), 'C') || \
                 setweight(to_tsvector('simple', $4), 'D') WHERE id = $1",
            )
            .bind(id)
            .bind(product.title)
            .bind(product.summary)
            .bind(product.description)
            .bind(&tags)
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}

/// Removes product `id` from the index (PostgreSQL's goes with the row).
pub async fn unindex(conn: &mut AnyConnection, backend: Backend, id: &Id) -> Result<(), AppError> {
    if backend == Backend::Sqlite {
        sqlx::query("DELETE FROM products_fts WHERE product_id = $1")
            .bind(id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_words_reach_the_query() {
        assert_eq!(
            words("Lead-scoring, for N8N!"),
            ["lead", "scoring", "for", "n8n"]
        );
        assert_eq!(words("\" OR 1=1 -- *"), ["or", "1", "1"]);
        assert_eq!(words("Café  crème"), ["café", "crème"]);
        assert_eq!(words(&"a ".repeat(20)).len(), MAX_WORDS);
        assert!(words("*** ---").is_empty());
        let words = words("lead scor");
        assert_eq!(
            matcher(Backend::Sqlite, &words, 1).2,
            "\"lead\"* AND \"scor\"*"
        );
        assert_eq!(matcher(Backend::Postgres, &words, 1).2, "lead:* & scor:*");
    }
}
