//! Posting to the ledger and reading it back. [`post`] is the one function that writes ledger
//! rows: the services that move money (orders, refunds, payouts, rewards) call it inside
//! their own transaction, so the money moves exactly when their change commits.

use super::model::{Account, AccountBalance, Entry, Posting, TransactionView};
use crate::db::{Db, value_rows};
use crate::error::{AppError, FieldError};
use crate::platform::identity::Staff;
use crate::platform::tx::Tx;
use crate::platform::types::{Id, Money, Timestamp};
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// What [`post`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// Written now, as this transaction.
    New(Id),
    /// A transaction with this idempotency key was posted before: nothing was written again.
    Already(Id),
}

/// Posts `posting` inside `tx`: checked to balance per currency, written once per
/// idempotency key (posting the same key again — a retried webhook, a double click — writes
/// nothing and says so), and refused with `CONFLICT` when it would take an account that must
/// stay positive below zero. A refusal writes nothing; the caller's transaction decides the
/// rest. A posting that does not balance is a bug in the caller: logged, and `INTERNAL`.
pub async fn post(tx: &mut Tx, posting: &Posting) -> Result<Posted, AppError> {
    if let Err(problem) = posting.check() {
        tracing::error!(key = posting.key, ?problem, "refused an unbalanced posting");
        return Err(AppError::Internal);
    }
    // Every change per account and currency; those taking money from an account that must
    // stay positive are checked below, one account at a time in name order (so two postings
    // never wait on each other in turn).
    let mut changes: BTreeMap<(&Account, &str), i64> = BTreeMap::new();
    for entry in &posting.entries {
        *changes
            .entry((&entry.account, entry.currency.as_str()))
            .or_default() += entry.amount;
    }
    let mut checks_funds = false;
    for ((account, _), change) in &changes {
        if *change < 0 && !account.may_go_negative() {
            tx.serialize(&format!("ledger:{}", account.as_str()))
                .await?;
            checks_funds = true;
        }
    }
    // A posting made already is not refused for funds it took (the insert below finds it
    // too, which is enough when nothing is checked).
    if checks_funds && let Some(earlier) = posted_as(tx, &posting.key).await? {
        return Ok(Posted::Already(earlier));
    }
    // Checked before anything is written, so a refusal leaves the caller's transaction as it
    // was, even if the caller goes on to commit it.
    for ((account, currency), change) in &changes {
        if *change < 0 && !account.may_go_negative() {
            let balance = balance(tx, account, currency).await?;
            if balance + change < 0 {
                return Err(AppError::Conflict(FieldError::new(
                    "amount",
                    format!(
                        "Not enough funds: {} holds {balance} and this takes {}.",
                        account.as_str(),
                        -change
                    ),
                )));
            }
        }
    }
    let id = Id::random();
    let inserted = sqlx::query(
        "INSERT INTO ledger_transactions (id, idempotency_key, kind, memo, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&id)
    .bind(&posting.key)
    .bind(posting.kind.as_str())
    .bind(&posting.memo)
    .bind(Timestamp::now())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Posted by a transaction that committed while this one was checking.
        let earlier = posted_as(tx, &posting.key)
            .await?
            .ok_or(AppError::Internal)?;
        return Ok(Posted::Already(earlier));
    }
    // Every entry in one statement (at most MAX_ENTRIES rows of five values).
    let sql = format!(
        "INSERT INTO ledger_entries (transaction_id, position, account, currency, amount) \
         VALUES {}",
        value_rows(posting.entries.len(), 5)
    );
    let mut insert = sqlx::query(&sql);
    for (
        position,
        Entry {
            account,
            currency,
            amount,
        },
    ) in posting.entries.iter().enumerate()
    {
        insert = insert
            .bind(&id)
            .bind(i64::try_from(position).map_err(|_| AppError::Internal)?)
            .bind(account.as_str())
            .bind(currency)
            .bind(*amount);
    }
    insert.execute(&mut **tx).await?;
    Ok(Posted::New(id))
}

/// `account`'s balance in `currency`, the account held until `tx` ends (on PostgreSQL; SQLite
/// runs one writer at a time): what a caller deciding how much to take from it reads.
pub async fn balance_held(tx: &mut Tx, account: &Account, currency: &str) -> Result<i64, AppError> {
    tx.serialize(&format!("ledger:{}", account.as_str()))
        .await?;
    balance(tx, account, currency).await
}

/// The transaction posted under idempotency key `key`, if any.
async fn posted_as(conn: &mut AnyConnection, key: &str) -> Result<Option<Id>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM ledger_transactions WHERE idempotency_key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

/// An account's balance in `currency`: the sum of its entries.
async fn balance(
    conn: &mut AnyConnection,
    account: &Account,
    currency: &str,
) -> Result<i64, AppError> {
    let sum: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger_entries WHERE account = $1 AND currency = $2",
    )
    .bind(account.as_str())
    .bind(currency)
    .fetch_one(conn)
    .await?;
    Ok(sum.unwrap_or(0))
}

/// The ledger's health, for staff: how many transactions there are, the ones whose entries do
/// not sum to zero per currency (there must be none), and the accounts below zero that must
/// not be (none either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trial {
    pub transactions: i64,
    pub unbalanced: Vec<Id>,
    pub overdrawn: Vec<(Account, String, i64)>,
}

impl Trial {
    pub fn is_balanced(&self) -> bool {
        self.unbalanced.is_empty() && self.overdrawn.is_empty()
    }
}

/// Checks the whole ledger from its entries (staff).
pub async fn trial(db: &Db, _staff: Staff<'_>) -> Result<Trial, AppError> {
    let mut conn = db.pool().acquire().await?;
    let transactions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_transactions")
        .fetch_one(&mut *conn)
        .await?;
    let unbalanced: Vec<Id> = sqlx::query_scalar(
        "SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency \
         HAVING SUM(amount) <> 0 ORDER BY transaction_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let negative: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT account, currency, CAST(SUM(amount) AS BIGINT) FROM ledger_entries \
         GROUP BY account, currency HAVING SUM(amount) < 0 ORDER BY account, currency",
    )
    .fetch_all(&mut *conn)
    .await?;
    let overdrawn = negative
        .into_iter()
        .filter_map(|(name, currency, sum)| {
            let account = Account::parse(&name)?;
            (!account.may_go_negative()).then_some((account, currency, sum))
        })
        .collect();
    Ok(Trial {
        transactions,
        unbalanced,
        overdrawn,
    })
}

/// Every account's balance per currency, by account name (staff): the page's table, summed
/// from the entries now.
pub async fn balances(db: &Db, _staff: Staff<'_>) -> Result<Vec<AccountBalance>, AppError> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT account, currency, CAST(SUM(amount) AS BIGINT) FROM ledger_entries \
         GROUP BY account, currency ORDER BY account, currency",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(account, currency, amount)| AccountBalance {
            account,
            balance: Money { amount, currency },
        })
        .collect())
}

/// The newest `limit` transactions with their entries (staff).
pub async fn recent(
    db: &Db,
    _staff: Staff<'_>,
    limit: i64,
) -> Result<Vec<TransactionView>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let rows: Vec<(Id, String, String, String, Timestamp)> = sqlx::query_as(
        "SELECT id, idempotency_key, kind, memo, created_at FROM ledger_transactions \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 200))
    .fetch_all(&mut *conn)
    .await?;
    let mut transactions = Vec::with_capacity(rows.len());
    for (id, key, kind, memo, created_at) in rows {
        let entries: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT account, currency, amount FROM ledger_entries WHERE transaction_id = $1 \
             ORDER BY position",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?;
        transactions.push(TransactionView {
            id,
            key,
            kind,
            memo,
            created_at,
            entries: entries
                .into_iter()
                .map(|(account, currency, amount)| AccountBalance {
                    account,
                    balance: Money { amount, currency },
                })
                .collect(),
        });
    }
    Ok(transactions)
}
