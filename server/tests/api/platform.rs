//! The core's guarantees on both databases: effects fire only after commit, and the two
//! migration folders describe the same schema.
use crate::helpers::{TestApp, on_each_backend};
use app::db::Backend;
use app::platform::events::Event;
use app::platform::jobs::JobKind;
use app::platform::tx::Tx;
use std::collections::BTreeSet;

const PROBE: JobKind = JobKind {
    name: "test.probe",
    max_attempts: 1,
};

async fn jobs_of_kind(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1")
        .bind(PROBE.name)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_back_transaction_publishes_nothing_and_queues_nothing() {
    on_each_backend(|app| async move {
        let mut events = app.services.events.subscribe();
        for explicit in [true, false] {
            let mut tx = Tx::begin(&app.services).await.unwrap();
            tx.publish(Event::new("test.happened", "rolled back"));
            tx.enqueue(&PROBE, &"payload").unwrap();
            if explicit {
                tx.rollback().await.unwrap();
            } else {
                drop(tx);
            }
        }
        assert!(events.try_recv().is_err(), "no event after a rollback");
        assert_eq!(jobs_of_kind(&app).await, 0, "no job after a rollback");

        let mut tx = Tx::begin(&app.services).await.unwrap();
        tx.publish(Event::new("test.happened", "committed"));
        for n in 0..3 {
            tx.enqueue(&PROBE, &n).unwrap();
        }
        assert!(
            events.try_recv().is_err(),
            "nothing fires before the commit"
        );
        tx.commit().await.unwrap();
        let event = events.try_recv().expect("published after the commit");
        assert_eq!(event.name, "test.happened");
        assert_eq!(event.data, "committed");
        let payloads: Vec<String> =
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = $1 ORDER BY id")
                .bind(PROBE.name)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(
            payloads,
            ["0", "1", "2"],
            "every queued job, written together"
        );
    })
    .await;
}

fn versions(backend: &str) -> Vec<String> {
    let dir = format!("{}/../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether `table.column` belongs to a backend's own full-text index — the one intended
/// difference (`catalog::search`): SQLite's FTS5 table and its shadow tables, PostgreSQL's
/// `products.search` column.
fn search_index(column: &str) -> bool {
    column.starts_with("products_fts") || column == "products.search"
}

/// Every table and column (`table.column`) of the migrated database, without sqlx's own and
/// without the full-text index.
async fn schema(app: &TestApp) -> BTreeSet<String> {
    let rows: Vec<(String, String)> = match app.db.backend() {
        Backend::Sqlite => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
            )
            .fetch_all(app.db.pool())
            .await
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(app.db.pool())
            .await
        }
    }
    .unwrap();
    rows.into_iter()
        .map(|(t, c)| format!("{t}.{c}"))
        .filter(|column| !search_index(column))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn both_migration_folders_hold_the_same_versions_and_make_the_same_schema() {
    assert_eq!(versions("sqlite"), versions("postgres"));
    let schemas = std::sync::Mutex::new(Vec::new());
    on_each_backend(|app| {
        let schemas = &schemas;
        async move {
            let schema = schema(&app).await;
            assert!(schema.contains("users.email_key"), "{schema:?}");
            schemas.lock().unwrap().push(schema);
        }
    })
    .await;
    let schemas = schemas.into_inner().unwrap();
    if let [sqlite, postgres] = schemas.as_slice() {
        assert_eq!(sqlite, postgres);
    }
}
