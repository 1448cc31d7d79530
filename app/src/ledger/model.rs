//! Accounts, entries and postings, and the rules a posting must keep before it touches the
//! database: at least two entries, none of zero, every amount within bounds, and the amounts
//! of each currency summing to zero.

use crate::platform::types::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most entries one transaction may have (an order's lines, each with a commission).
pub const MAX_ENTRIES: usize = 256;
/// The largest amount one entry may carry, in minor units (a billion of the currency).
pub const MAX_AMOUNT: i64 = 100_000_000_000;
/// An idempotency key's length bound.
pub const MAX_KEY: usize = 200;

/// A ledger account. Each is named `owner:kind` (`vendor:{id}:pending`); the names are built
/// here only, so a posting cannot name an account that does not exist in the design.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Account(String);

impl Account {
    /// Money arriving from outside (a buyer's card); its balance is minus all money taken in.
    pub fn customer_cash() -> Self {
        Self("customer:cash".to_owned())
    }

    /// The platform's commission on sales.
    pub fn platform_commission() -> Self {
        Self("platform:commission".to_owned())
    }

    /// Money that has left the platform to vendors.
    pub fn payouts_paid() -> Self {
        Self("payouts:paid".to_owned())
    }

    /// Sales tax collected from buyers, owed to the tax authority.
    pub fn taxes_payable() -> Self {
        Self("taxes:payable".to_owned())
    }

    /// A vendor's earnings still inside the hold period.
    pub fn vendor_pending(vendor: &Id) -> Self {
        Self(format!("vendor:{vendor}:pending"))
    }

    /// A vendor's earnings they may ask to be paid.
    pub fn vendor_available(vendor: &Id) -> Self {
        Self(format!("vendor:{vendor}:available"))
    }

    /// A vendor's earnings set aside for a payout they requested, until it is paid or
    /// rejected.
    pub fn vendor_payout(vendor: &Id) -> Self {
        Self(format!("vendor:{vendor}:payout"))
    }

    /// What a vendor owes the platform (a refund larger than their balance): the only vendor
    /// account that goes below zero, and only through an explicit entry.
    pub fn vendor_debt(vendor: &Id) -> Self {
        Self(format!("vendor:{vendor}:debt"))
    }

    /// Whether this account may be below zero: the outside world's accounts (where money
    /// comes from) and debts; never a wallet.
    pub fn may_go_negative(&self) -> bool {
        self.0 == "customer:cash" || self.0.ends_with(":debt")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An account as stored; `None` for a name this design never makes.
    pub fn parse(name: &str) -> Option<Self> {
        let fixed = [
            "customer:cash",
            "platform:commission",
            "payouts:paid",
            "taxes:payable",
        ];
        if fixed.contains(&name) {
            return Some(Self(name.to_owned()));
        }
        let rest = name.strip_prefix("vendor:")?;
        let (id, kind) = rest.rsplit_once(':')?;
        let id = Id::parse(id)?;
        match kind {
            "pending" => Some(Self::vendor_pending(&id)),
            "available" => Some(Self::vendor_available(&id)),
            "payout" => Some(Self::vendor_payout(&id)),
            "debt" => Some(Self::vendor_debt(&id)),
            _ => None,
        }
    }
}

/// One line of a transaction: `amount` minor units of `currency` added to `account`'s balance
/// (negative to take them away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub account: Account,
    pub currency: String,
    pub amount: i64,
}

/// What a transaction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    OrderPayment,
    Refund,
    Maturing,
    Payout,
    Adjustment,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderPayment => "order_payment",
            Self::Refund => "refund",
            Self::Maturing => "maturing",
            Self::Payout => "payout",
            Self::Adjustment => "adjustment",
        }
    }
}

/// A transaction to post: its idempotency key (unique per source event, e.g.
/// `order:{id}:paid`), what it is for, and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub key: String,
    pub kind: Kind,
    pub memo: String,
    pub entries: Vec<Entry>,
}

/// An account's balance (or one entry's change to it), as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBalance {
    pub account: String,
    pub balance: crate::platform::types::Money,
}

/// A posted transaction with its entries, as staff read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionView {
    pub id: Id,
    pub key: String,
    pub kind: String,
    pub memo: String,
    pub created_at: crate::platform::types::Timestamp,
    pub entries: Vec<AccountBalance>,
}

/// What `/admin/ledger` shows: whether the books balance, every account's balance, and the
/// newest transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerView {
    pub transactions: i64,
    /// Transactions whose entries do not sum to zero (there must be none).
    pub unbalanced: Vec<Id>,
    /// Wallets below zero (there must be none), as `account currency amount`.
    pub overdrawn: Vec<AccountBalance>,
    pub balances: Vec<AccountBalance>,
    pub recent: Vec<TransactionView>,
}

/// Why a posting was refused before anything was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbalanced {
    /// Fewer than two entries, or more than [`MAX_ENTRIES`].
    EntryCount,
    /// An entry of zero, or beyond [`MAX_AMOUNT`].
    Amount,
    /// A currency that is not three capital letters.
    Currency,
    /// An empty or over-long idempotency key.
    Key,
    /// The entries of this currency do not sum to zero.
    Sum(String),
}

impl Posting {
    /// A posting with no entries yet.
    pub fn new(key: String, kind: Kind, memo: String) -> Self {
        Self {
            key,
            kind,
            memo,
            entries: Vec::new(),
        }
    }

    /// Adds `amount` to `account`'s change: folded into its entry when the account already
    /// has one in `currency`, and left out while it is zero (a free product, a 0 % rate).
    pub fn add(&mut self, account: Account, currency: &str, amount: i64) {
        if let Some(entry) = self
            .entries
            .iter_mut()
            .find(|entry| entry.account == account && entry.currency == currency)
        {
            entry.amount += amount;
        } else {
            self.entries.push(Entry {
                account,
                currency: currency.to_owned(),
                amount,
            });
        }
        self.entries.retain(|entry| entry.amount != 0);
    }

    /// Whether nothing moves (every change summed to zero).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks the posting's shape: see [`Unbalanced`].
    pub fn check(&self) -> Result<(), Unbalanced> {
        if self.key.is_empty() || self.key.len() > MAX_KEY {
            return Err(Unbalanced::Key);
        }
        if self.entries.len() < 2 || self.entries.len() > MAX_ENTRIES {
            return Err(Unbalanced::EntryCount);
        }
        let mut sums: BTreeMap<&str, i64> = BTreeMap::new();
        for entry in &self.entries {
            if entry.amount == 0 || entry.amount.abs() > MAX_AMOUNT {
                return Err(Unbalanced::Amount);
            }
            let currency = entry.currency.as_str();
            if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(Unbalanced::Currency);
            }
            // Bounded amounts times bounded entries cannot overflow an i64.
            *sums.entry(currency).or_default() += entry.amount;
        }
        match sums.into_iter().find(|(_, sum)| *sum != 0) {
            Some((currency, _)) => Err(Unbalanced::Sum(currency.to_owned())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Account, Entry, Kind, MAX_AMOUNT, Posting, Unbalanced};
    use crate::platform::types::Id;

    fn entry(account: Account, currency: &str, amount: i64) -> Entry {
        Entry {
            account,
            currency: currency.to_owned(),
            amount,
        }
    }

    fn posting(entries: Vec<Entry>) -> Posting {
        Posting {
            key: "order:1:paid".to_owned(),
            kind: Kind::OrderPayment,
            memo: String::new(),
            entries,
        }
    }

    #[test]
    fn a_posting_balances_per_currency() {
        let vendor = Id::random();
        let sale = posting(vec![
            entry(Account::customer_cash(), "USD", -2900),
            entry(Account::vendor_pending(&vendor), "USD", 2610),
            entry(Account::platform_commission(), "USD", 290),
        ]);
        assert_eq!(sale.check(), Ok(()));
        // Balanced in total, but not per currency.
        let mixed = posting(vec![
            entry(Account::customer_cash(), "USD", -100),
            entry(Account::platform_commission(), "EUR", 100),
        ]);
        assert_eq!(mixed.check(), Err(Unbalanced::Sum("EUR".to_owned())));
        let short = posting(vec![entry(Account::customer_cash(), "USD", -100)]);
        assert_eq!(short.check(), Err(Unbalanced::EntryCount));
        let zero = posting(vec![
            entry(Account::customer_cash(), "USD", 0),
            entry(Account::platform_commission(), "USD", 0),
        ]);
        assert_eq!(zero.check(), Err(Unbalanced::Amount));
        let huge = posting(vec![
            entry(Account::customer_cash(), "USD", -(MAX_AMOUNT + 1)),
            entry(Account::platform_commission(), "USD", MAX_AMOUNT + 1),
        ]);
        assert_eq!(huge.check(), Err(Unbalanced::Amount));
        let odd = posting(vec![
            entry(Account::customer_cash(), "usd", -1),
            entry(Account::platform_commission(), "usd", 1),
        ]);
        assert_eq!(odd.check(), Err(Unbalanced::Currency));
        let mut keyless = sale.clone();
        keyless.key = String::new();
        assert_eq!(keyless.check(), Err(Unbalanced::Key));
    }

    #[test]
    fn adding_folds_an_account_s_changes_and_drops_zeros() {
        let vendor = Id::random();
        let mut sale = Posting::new("order:2:paid".into(), Kind::OrderPayment, String::new());
        sale.add(Account::customer_cash(), "USD", -1000);
        sale.add(Account::vendor_pending(&vendor), "USD", 900);
        sale.add(Account::platform_commission(), "USD", 0);
        sale.add(Account::customer_cash(), "USD", -500);
        sale.add(Account::vendor_pending(&vendor), "USD", 450);
        sale.add(Account::platform_commission(), "USD", 150);
        assert_eq!(
            sale.entries,
            vec![
                entry(Account::customer_cash(), "USD", -1500),
                entry(Account::vendor_pending(&vendor), "USD", 1350),
                entry(Account::platform_commission(), "USD", 150),
            ]
        );
        assert_eq!(sale.check(), Ok(()));
        let mut nothing = Posting::new("x".into(), Kind::Adjustment, String::new());
        nothing.add(Account::customer_cash(), "USD", 0);
        assert!(nothing.is_empty());
    }

    #[test]
    fn accounts_read_back_as_they_were_made_and_only_wallets_stay_positive() {
        let vendor = Id::random();
        for account in [
            Account::customer_cash(),
            Account::platform_commission(),
            Account::payouts_paid(),
            Account::vendor_pending(&vendor),
            Account::vendor_available(&vendor),
            Account::vendor_debt(&vendor),
            Account::vendor_payout(&vendor),
            Account::taxes_payable(),
        ] {
            assert_eq!(Account::parse(account.as_str()), Some(account.clone()));
        }
        assert_eq!(Account::parse("vendor:not an id:pending"), None);
        assert_eq!(Account::parse("platform:savings"), None);
        assert_eq!(Account::parse(&format!("vendor:{vendor}:savings")), None);
        assert!(Account::customer_cash().may_go_negative());
        assert!(Account::vendor_debt(&vendor).may_go_negative());
        assert!(!Account::vendor_available(&vendor).may_go_negative());
        assert!(!Account::platform_commission().may_go_negative());
    }
}
