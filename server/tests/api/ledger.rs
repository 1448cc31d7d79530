//! The ledger's posting function on each backend: balanced transactions written once per
//! idempotency key, wallets never overdrawn — also under concurrent postings — and a random
//! run of sales, maturing, refunds and payouts that leaves the books balanced.

use crate::fixtures::staff_token;
use crate::helpers::{TestApp, on_each_backend};
use app::error::AppError;
use app::ledger::model::{Account, Entry, Kind, Posting};
use app::ledger::service::{self, Posted, Trial};
use app::platform::identity::Role;
use app::platform::tx::Tx;
use app::platform::types::Id;

fn entry(account: Account, amount: i64) -> Entry {
    Entry {
        account,
        currency: "USD".to_owned(),
        amount,
    }
}

fn posting(key: &str, kind: Kind, entries: Vec<Entry>) -> Posting {
    Posting {
        key: key.to_owned(),
        kind,
        memo: String::new(),
        entries,
    }
}

/// Posts in a transaction of its own, committed only when the posting was accepted.
async fn post(app: &TestApp, posting: &Posting) -> Result<Posted, AppError> {
    let mut tx = Tx::begin(&app.services).await?;
    let posted = service::post(&mut tx, posting).await?;
    tx.commit().await?;
    Ok(posted)
}

async fn balance(app: &TestApp, account: &Account) -> i64 {
    let sum: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries WHERE account = $1",
    )
    .bind(account.as_str())
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    sum.unwrap_or(0)
}

async fn trial(app: &TestApp) -> Trial {
    let token = staff_token(app, "auditor@example.com", Role::Manager).await;
    let actor = app.actor(&token).await;
    service::trial(&app.db, actor.staff().unwrap())
        .await
        .unwrap()
}

fn sale(key: &str, vendor: &Id, price: i64) -> Posting {
    let commission = price / 10;
    posting(
        key,
        Kind::OrderPayment,
        vec![
            entry(Account::customer_cash(), -price),
            entry(Account::vendor_pending(vendor), price - commission),
            entry(Account::platform_commission(), commission),
        ],
    )
}

fn payout(key: &str, vendor: &Id, amount: i64) -> Posting {
    posting(
        key,
        Kind::Payout,
        vec![
            entry(Account::vendor_available(vendor), -amount),
            entry(Account::payouts_paid(), amount),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_posting_is_written_once_and_never_overdraws_a_wallet() {
    on_each_backend(|app| async move {
        let vendor = Id::random();
        let first = post(&app, &sale("order:1:paid", &vendor, 2900))
            .await
            .unwrap();
        let Posted::New(id) = first else {
            panic!("{first:?}")
        };
        // The same event again — a retried webhook — writes nothing.
        assert_eq!(
            post(&app, &sale("order:1:paid", &vendor, 2900))
                .await
                .unwrap(),
            Posted::Already(id)
        );
        assert_eq!(balance(&app, &Account::vendor_pending(&vendor)).await, 2610);
        let matured = posting(
            "order:1:matured",
            Kind::Maturing,
            vec![
                entry(Account::vendor_pending(&vendor), -2610),
                entry(Account::vendor_available(&vendor), 2610),
            ],
        );
        post(&app, &matured).await.unwrap();
        // More than is available: refused, and nothing of it is written.
        let refused = post(&app, &payout("payout:1", &vendor, 3000)).await;
        assert!(
            matches!(refused, Err(AppError::Conflict(ref e)) if e.field == "amount"),
            "{refused:?}"
        );
        // Even a caller that commits after the refusal has written nothing of it.
        let mut tx = Tx::begin(&app.services).await.unwrap();
        assert!(
            service::post(&mut tx, &payout("payout:1", &vendor, 3000))
                .await
                .is_err()
        );
        tx.commit().await.unwrap();
        assert_eq!(trial(&app).await.transactions, 2);
        post(&app, &payout("payout:2", &vendor, 2610))
            .await
            .unwrap();
        assert_eq!(balance(&app, &Account::vendor_available(&vendor)).await, 0);
        assert_eq!(balance(&app, &Account::payouts_paid()).await, 2610);
        assert_eq!(balance(&app, &Account::customer_cash()).await, -2900);
        let books = trial(&app).await;
        assert_eq!(books.transactions, 3);
        assert!(books.is_balanced(), "{books:?}");
        // An unbalanced posting is the caller's bug: refused before anything is written.
        let broken = posting(
            "broken",
            Kind::Adjustment,
            vec![
                entry(Account::customer_cash(), -5),
                entry(Account::platform_commission(), 4),
            ],
        );
        assert!(matches!(post(&app, &broken).await, Err(AppError::Internal)));
        assert_eq!(trial(&app).await.transactions, 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_postings_keep_keys_unique_and_wallets_positive() {
    on_each_backend(|app| async move {
        let vendor = Id::random();
        let app = std::sync::Arc::new(app);
        // 16 deliveries of the same payment at once: one transaction.
        let same: Vec<_> = (0..16)
            .map(|_| {
                let app = app.clone();
                let vendor = vendor.clone();
                tokio::spawn(async move { post(&app, &sale("order:7:paid", &vendor, 1000)).await })
            })
            .collect();
        let mut new = 0;
        for task in same {
            if let Posted::New(_) = task.await.unwrap().unwrap() {
                new += 1;
            }
        }
        assert_eq!(new, 1);
        let matured = posting(
            "order:7:matured",
            Kind::Maturing,
            vec![
                entry(Account::vendor_pending(&vendor), -900),
                entry(Account::vendor_available(&vendor), 900),
            ],
        );
        post(&app, &matured).await.unwrap();
        // 12 payouts of 200 at once from 900 available: exactly four are paid.
        let payouts: Vec<_> = (0..12)
            .map(|n| {
                let app = app.clone();
                let vendor = vendor.clone();
                tokio::spawn(async move {
                    post(&app, &payout(&format!("payout:{n}"), &vendor, 200)).await
                })
            })
            .collect();
        let mut paid = 0;
        for task in payouts {
            match task.await.unwrap() {
                Ok(_) => paid += 1,
                Err(AppError::Conflict(_)) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(paid, 4);
        assert_eq!(
            balance(&app, &Account::vendor_available(&vendor)).await,
            100
        );
        let books = trial(&app).await;
        assert!(books.is_balanced(), "{books:?}");
        assert_eq!(books.transactions, 6);
    })
    .await;
}

/// A small deterministic generator (xorshift), so a failing run can be replayed.
pub struct Dice(pub u64);

impl Dice {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_random_run_of_sales_maturing_refunds_and_payouts_keeps_the_books_balanced() {
    on_each_backend(|app| async move {
        let vendors = [Id::random(), Id::random(), Id::random()];
        let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
        for step in 0..150 {
            let vendor = &vendors[usize::try_from(dice.below(3)).unwrap()];
            let amount = i64::try_from(dice.below(5000)).unwrap() + 1;
            let key = format!("step:{step}");
            let attempt = match dice.below(4) {
                0 => sale(&key, vendor, amount),
                1 => posting(
                    &key,
                    Kind::Maturing,
                    vec![
                        entry(Account::vendor_pending(vendor), -amount),
                        entry(Account::vendor_available(vendor), amount),
                    ],
                ),
                2 => posting(
                    &key,
                    Kind::Refund,
                    vec![
                        entry(Account::vendor_pending(vendor), -amount),
                        entry(Account::customer_cash(), amount),
                    ],
                ),
                _ => payout(&key, vendor, amount),
            };
            match post(&app, &attempt).await {
                Ok(Posted::New(_)) | Err(AppError::Conflict(_)) => {}
                other => panic!("step {step}: {other:?}"),
            }
        }
        let books = trial(&app).await;
        assert!(books.is_balanced(), "{books:?}");
        assert!(books.transactions > 30, "the run did move money: {books:?}");
        for vendor in &vendors {
            for account in [
                Account::vendor_pending(vendor),
                Account::vendor_available(vendor),
            ] {
                assert!(balance(&app, &account).await >= 0);
            }
        }
        let total: Option<i64> =
            sqlx::query_scalar("SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(total.unwrap_or(0), 0, "every movement balances");
    })
    .await;
}

/// The ledger has one posting function: no other code in the project writes, changes or
/// deletes ledger rows (a new writer elsewhere fails this test).
#[test]
fn only_the_posting_function_writes_ledger_rows() {
    fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["app/src", "server/src", "src"] {
        sources(&root.join(dir), &mut files);
    }
    let writers: Vec<String> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap().to_uppercase();
            [
                "INSERT INTO LEDGER_",
                "UPDATE LEDGER_",
                "DELETE FROM LEDGER_",
            ]
            .iter()
            .any(|statement| text.contains(statement))
        })
        .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(writers, ["app/src/ledger/service.rs"]);
}
