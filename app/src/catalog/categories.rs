//! The category tree: anyone reads it; staff add, rename, move and delete categories (each
//! change audited). The tree stays acyclic, at most three levels deep and at most
//! [`MAX_CATEGORIES`] strong; changes run one at a time, so two moves at once cannot make a
//! cycle.

use super::model::{Category, CategoryChanges, NewCategory};
use super::rules::{self, MAX_DEPTH};
use crate::audit::service::{NewEntry, record};
use crate::db::{Db, free_slug};
use crate::error::{AppError, FieldError};
use crate::platform::Services;
use crate::platform::identity::Staff;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Timestamp};
use crate::platform::validate::{self, Checks};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The most categories the tree holds (it is read whole on every catalog page).
pub const MAX_CATEGORIES: usize = 500;

/// `categories` as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: Id,
    parent_id: Option<Id>,
    name: String,
    slug: String,
    description: String,
    position: i64,
}

async fn rows(conn: &mut AnyConnection) -> Result<Vec<Row>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, parent_id, name, slug, description, position FROM categories")
            .fetch_all(conn)
            .await?,
    )
}

/// `rows` in tree order with their depths: each category after its parent, siblings in
/// position and name order (sorted here, so both databases' collations give one order).
fn in_tree_order(mut rows: Vec<Row>) -> Vec<Category> {
    rows.sort_by(|a, b| {
        (a.position, a.name.to_lowercase(), &a.id).cmp(&(b.position, b.name.to_lowercase(), &b.id))
    });
    let mut children: HashMap<Option<Id>, Vec<Row>> = HashMap::new();
    for row in rows {
        children.entry(row.parent_id.clone()).or_default().push(row);
    }
    let mut ordered = Vec::new();
    let mut stack: Vec<(Row, u8)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|row| (row, 0))
        .collect();
    while let Some((row, depth)) = stack.pop() {
        if let Some(below) = children.remove(&Some(row.id.clone())) {
            stack.extend(below.into_iter().rev().map(|child| (child, depth + 1)));
        }
        ordered.push(Category {
            id: row.id,
            parent_id: row.parent_id,
            name: row.name,
            slug: row.slug,
            description: row.description,
            position: row.position,
            depth,
        });
    }
    ordered
}

/// The whole tree, in tree order (public).
pub async fn tree(db: &Db) -> Result<Vec<Category>, AppError> {
    let mut conn = db.pool().acquire().await?;
    Ok(in_tree_order(rows(&mut conn).await?))
}

/// `id` and every category below it.
pub fn with_descendants(tree: &[Category], id: &Id) -> Vec<Id> {
    tree.iter()
        .filter(|c| within(tree, id, &c.id))
        .map(|c| c.id.clone())
        .collect()
}

/// How many levels hang below `id` (0 for a leaf).
fn height(tree: &[Category], id: &Id) -> u8 {
    tree.iter()
        .filter(|c| c.parent_id.as_ref() == Some(id))
        .map(|child| 1 + height(tree, &child.id))
        .max()
        .unwrap_or(0)
}

/// Whether `candidate` is `id` or below it.
fn within(tree: &[Category], id: &Id, candidate: &Id) -> bool {
    let parents: HashMap<&Id, Option<&Id>> =
        tree.iter().map(|c| (&c.id, c.parent_id.as_ref())).collect();
    let mut at = Some(candidate);
    while let Some(current) = at {
        if current == id {
            return true;
        }
        at = parents.get(current).copied().flatten();
    }
    false
}

fn conflict(field: &str, message: impl Into<String>) -> AppError {
    AppError::Conflict(FieldError::new(field, message))
}

/// The parent's depth, after checking it exists; a missing parent is `NOT_FOUND`.
fn parent_depth(tree: &[Category], parent: &Id) -> Result<u8, AppError> {
    tree.iter()
        .find(|c| &c.id == parent)
        .map(|c| c.depth)
        .ok_or_else(|| AppError::NotFound("The parent category".into()))
}

async fn audit(
    tx: &mut Tx,
    staff: Staff<'_>,
    action: &str,
    id: &Id,
    name: &str,
) -> Result<(), AppError> {
    record(
        tx,
        NewEntry {
            actor: staff.actor().audit_label(),
            action,
            target: Some(format!("category:{id}")),
            details: serde_json::json!({ "name": name }),
            ip: None,
        },
    )
    .await
}

async fn find(tx: &mut Tx, id: &Id) -> Result<Category, AppError> {
    in_tree_order(rows(tx).await?)
        .into_iter()
        .find(|c| &c.id == id)
        .ok_or_else(|| AppError::NotFound("The category".into()))
}

/// Adds a category (staff with write access). A taken slug is `CONFLICT`; an absent one is
/// made from the name.
pub async fn create(
    services: &Services,
    staff: Staff<'_>,
    input: NewCategory,
) -> Result<Category, AppError> {
    let staff = staff.writer()?;
    let mut checks = Checks::default();
    let name = checks.check("name", rules::name(&input.name));
    let slug = checks.check(
        "slug",
        validate::slug(input.slug.as_deref().unwrap_or_default()),
    );
    let description = checks.check(
        "description",
        rules::description(input.description.as_deref().unwrap_or_default()),
    );
    let position = checks.check("position", rules::position(input.position.unwrap_or(0)));
    checks.finish()?;
    let (Some(name), Some(slug), Some(description), Some(position)) =
        (name, slug, description, position)
    else {
        return Err(AppError::Internal);
    };
    let mut tx = Tx::begin(services).await?;
    tx.serialize("categories").await?;
    let tree = in_tree_order(rows(&mut tx).await?);
    if tree.len() >= MAX_CATEGORIES {
        return Err(conflict(
            "name",
            format!("The catalog has {MAX_CATEGORIES} categories, the most it holds."),
        ));
    }
    if let Some(parent) = &input.parent_id
        && parent_depth(&tree, parent)? >= MAX_DEPTH
    {
        return Err(conflict(
            "parentId",
            "Categories go three levels deep; choose a higher parent.",
        ));
    }
    let id = Id::random();
    let slug = match slug {
        Some(slug) => slug,
        None => free_slug(&mut tx, "categories", &validate::slugify(&name), None, &[])
            .await?
            .ok_or_else(|| conflict("slug", "Choose an address for this category."))?,
    };
    let now = Timestamp::now();
    // A taken slug is a CONFLICT on `slug` through `db::CONSTRAINTS`.
    sqlx::query(
        "INSERT INTO categories (id, parent_id, name, slug, description, position, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(&input.parent_id)
    .bind(&name)
    .bind(&slug)
    .bind(&description)
    .bind(position)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, staff, "categories.create", &id, &name).await?;
    let category = find(&mut tx, &id).await?;
    tx.commit().await?;
    Ok(category)
}

/// Renames, re-addresses, describes, orders or moves a category (staff with write access).
/// A move under itself or below itself, or one that would make the tree deeper than three
/// levels, is `CONFLICT`.
pub async fn update(
    services: &Services,
    staff: Staff<'_>,
    id: &Id,
    changes: CategoryChanges,
) -> Result<Category, AppError> {
    let staff = staff.writer()?;
    let mut checks = Checks::default();
    let name = changes
        .name
        .as_deref()
        .map(|v| checks.check("name", rules::name(v)));
    let slug = changes
        .slug
        .as_deref()
        .map(|v| checks.check("slug", validate::slug(v)));
    let description = changes
        .description
        .as_deref()
        .map(|v| checks.check("description", rules::description(v)));
    let position = changes
        .position
        .map(|v| checks.check("position", rules::position(v)));
    checks.finish()?;
    let mut tx = Tx::begin(services).await?;
    tx.serialize("categories").await?;
    let tree = in_tree_order(rows(&mut tx).await?);
    let current = tree
        .iter()
        .find(|c| &c.id == id)
        .cloned()
        .ok_or_else(|| AppError::NotFound("The category".into()))?;
    let parent = match changes.parent_id {
        None => current.parent_id.clone(),
        Some(None) => None,
        Some(Some(parent)) => {
            let depth = parent_depth(&tree, &parent)?;
            if within(&tree, id, &parent) {
                return Err(conflict(
                    "parentId",
                    "A category cannot move under itself or one of its subcategories.",
                ));
            }
            if depth + 1 + height(&tree, id) > MAX_DEPTH {
                return Err(conflict(
                    "parentId",
                    "Categories go three levels deep; choose a higher parent.",
                ));
            }
            Some(parent)
        }
    };
    let name = name.flatten().unwrap_or(current.name);
    let slug = slug.flatten().flatten().unwrap_or(current.slug);
    let description = description.flatten().unwrap_or(current.description);
    let position = position.flatten().unwrap_or(current.position);
    sqlx::query(
        "UPDATE categories SET parent_id = $1, name = $2, slug = $3, description = $4, \
         position = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(&parent)
    .bind(&name)
    .bind(&slug)
    .bind(&description)
    .bind(position)
    .bind(Timestamp::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, staff, "categories.update", id, &name).await?;
    let category = find(&mut tx, id).await?;
    tx.commit().await?;
    Ok(category)
}

/// Deletes a category with nothing in it (staff with write access); one with subcategories
/// or products is `CONFLICT`.
pub async fn delete(services: &Services, staff: Staff<'_>, id: &Id) -> Result<(), AppError> {
    let staff = staff.writer()?;
    let mut tx = Tx::begin(services).await?;
    tx.serialize("categories").await?;
    let category = find(&mut tx, id).await?;
    let children: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM categories WHERE parent_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if children > 0 {
        return Err(conflict(
            "id",
            format!(
                "{} has {children} subcategories; move or delete them first.",
                category.name
            ),
        ));
    }
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE category_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if products > 0 {
        return Err(conflict(
            "id",
            format!(
                "{} holds {products} products; move them to another category first.",
                category.name
            ),
        ));
    }
    sqlx::query("DELETE FROM categories WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, staff, "categories.delete", id, &category.name).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, parent: Option<&str>, name: &str, position: i64) -> Row {
        Row {
            id: Id::from_trusted(id),
            parent_id: parent.map(Id::from_trusted),
            name: name.into(),
            slug: id.into(),
            description: String::new(),
            position,
        }
    }

    #[test]
    fn the_tree_lists_each_category_after_its_parent() {
        let tree = in_tree_order(vec![
            row("ebooks", None, "E-books", 1),
            row("automation", None, "Automation", 0),
            row("zapier", Some("automation"), "Zapier", 0),
            row("n8n", Some("automation"), "n8n", 0),
            row("make", Some("automation"), "Make", 1),
            row("n8n-ai", Some("n8n"), "AI flows", 0),
        ]);
        let order: Vec<(&str, u8)> = tree.iter().map(|c| (c.id.as_str(), c.depth)).collect();
        assert_eq!(
            order,
            [
                ("automation", 0),
                ("n8n", 1),
                ("n8n-ai", 2),
                ("zapier", 1),
                ("make", 1),
                ("ebooks", 0)
            ]
        );
        let automation = Id::from_trusted("automation");
        assert_eq!(height(&tree, &automation), 2);
        assert!(within(&tree, &automation, &Id::from_trusted("n8n-ai")));
        assert!(!within(&tree, &Id::from_trusted("n8n"), &automation));
    }
}
