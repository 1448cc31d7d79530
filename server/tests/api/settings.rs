//! Settings and the audit log through their services, on both backends.
use crate::helpers::on_each_backend;
use app::audit::service::recent;
use app::auth::model::Actor;
use app::error::AppError;
use app::settings::model::{CURRENCY, SITE_NAME, TAX_RATE_BPS};
use app::settings::service::{get, set};

#[tokio::test(flavor = "multi_thread")]
async fn unset_settings_have_their_defaults() {
    on_each_backend(|app| async move {
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "Agora");
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_is_stored_and_audited_together() {
    on_each_backend(|app| async move {
        set(
            &app.db,
            &Actor::System,
            &CURRENCY,
            "EUR".into(),
            Some("203.0.113.9".into()),
        )
        .await
        .unwrap();
        set(&app.db, &Actor::System, &CURRENCY, "GBP".into(), None)
            .await
            .unwrap();
        assert_eq!(get(&app.db, &CURRENCY).await.unwrap(), "GBP");
        let entries = recent(&app.db, Some("setting:currency"), 10).await.unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].action, "settings.update");
        assert_eq!(entries[0].actor, "system");
        assert_eq!(entries[0].details["old"], "EUR");
        assert_eq!(entries[0].details["new"], "GBP");
        assert_eq!(entries[1].ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(recent(&app.db, Some("system"), 10).await.unwrap().len(), 2);
        assert_eq!(recent(&app.db, None, 1).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_value_is_refused_and_nothing_is_written() {
    on_each_backend(|app| async move {
        let error = set(&app.db, &Actor::System, &TAX_RATE_BPS, 20_000, None)
            .await
            .unwrap_err();
        assert!(matches!(&error, AppError::Validation(_)));
        assert!(error.field_message("tax_rate_bps").is_some());
        assert_eq!(get(&app.db, &TAX_RATE_BPS).await.unwrap(), 0);
        assert!(
            recent(&app.db, None, 10).await.unwrap().is_empty(),
            "no audit entry"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_seed_is_idempotent_and_keeps_operator_changes() {
    on_each_backend(|app| async move {
        let first = server::seed::run(&app.db, true).await.unwrap();
        assert!(!first.changed.is_empty());
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "Agora Demo Market");
        set(
            &app.db,
            &Actor::System,
            &SITE_NAME,
            "My Market".into(),
            None,
        )
        .await
        .unwrap();
        let audited = recent(&app.db, None, 100).await.unwrap().len();
        let second = server::seed::run(&app.db, true).await.unwrap();
        assert!(second.changed.is_empty(), "{:?}", second.changed);
        assert_eq!(get(&app.db, &SITE_NAME).await.unwrap(), "My Market");
        assert_eq!(recent(&app.db, None, 100).await.unwrap().len(), audited);
    })
    .await;
}
