//! Brute-force throttling: counters per rule and key (an address or an account) in fixed
//! windows aligned to the clock. A caller over the limit gets `RATE_LIMIT_EXCEEDED` with the
//! seconds until the window ends — it is slowed down, never locked out for good.
//!
//! Memory is bounded whatever a stranger sends: a key is kept as a 64-bit keyed hash (a 2 MB
//! "email" costs what a short one does, and nobody can aim at a collision), a rule's counters
//! belong to its current window only and are dropped whole when the window ends (no scan, no
//! timer), and a rule holds at most [`MAX_KEYS_PER_RULE`] keys per window — past that, new keys
//! share one counter, so a flood of distinct keys throttles itself instead of growing memory.
//! The counters are split over shards, each with its own lock, so concurrent requests rarely
//! wait for one another.
//!
//! The counters live in memory: each instance limits on its own, which bounds an attacker
//! at N × the limit behind N instances — acceptable for slowing guessing down.

use crate::error::AppError;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A limit: at most `limit` counted events per `window` for one key.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
}

/// `n` minutes, for rule windows.
pub const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// The most keys one rule counts in one window (about 2 MB of counters at most).
pub const MAX_KEYS_PER_RULE: usize = 100_000;
const SHARDS: usize = 16;
const MAX_KEYS_PER_SHARD: usize = MAX_KEYS_PER_RULE / SHARDS;
/// The shared counter of the keys that arrive once a shard is full.
const OVERFLOW: u64 = 0;

/// One rule's counters in one shard, for the window numbered `window`.
#[derive(Debug, Default)]
struct Counters {
    window: u64,
    counts: HashMap<u64, u32>,
}

/// The counters; cheap to clone.
#[derive(Debug, Clone)]
pub struct Throttle {
    hasher: RandomState,
    shards: Arc<[Mutex<HashMap<&'static str, Counters>>]>,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }
}

impl Throttle {
    /// Counts one event; fails when that makes more than the rule allows.
    pub fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        self.apply(rule, key, 1, since_epoch())
    }

    /// Fails when the key is already at its limit, without counting.
    pub fn check(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        self.apply(rule, key, 0, since_epoch())
    }

    /// Forgets the key's count (e.g. failures, after a successful sign-in).
    pub fn clear(&self, rule: &Rule, key: &str) {
        let (shard, hash) = self.locate(rule, key);
        if let Ok(mut rules) = self.shards[shard].lock()
            && let Some(counters) = rules.get_mut(rule.name)
        {
            counters.counts.remove(&hash);
        }
    }

    /// How many keys are counted now, over every rule (a gauge for `/metrics`).
    pub fn keys(&self) -> usize {
        self.shards
            .iter()
            .filter_map(|shard| shard.lock().ok())
            .map(|rules| rules.values().map(|c| c.counts.len()).sum::<usize>())
            .sum()
    }

    fn locate(&self, rule: &Rule, key: &str) -> (usize, u64) {
        let hash = self.hasher.hash_one((rule.name, key)).max(OVERFLOW + 1);
        (hash as usize % SHARDS, hash)
    }

    fn apply(&self, rule: &Rule, key: &str, add: u32, now: Duration) -> Result<(), AppError> {
        self.count(rule, key, add, now)
            .map(drop)
            .map_err(|quota| AppError::RateLimited {
                retry_after_secs: quota.reset_in_secs(now),
            })
    }

    /// Counts one event of `key` and says where it stands against `rule` (for
    /// `X-RateLimit-*` headers); over the limit, the refusal carries the same standing.
    pub fn take(&self, rule: &Rule, key: &str) -> Result<Quota, (Quota, AppError)> {
        match self.count(rule, key, 1, since_epoch()) {
            Ok(quota) => Ok(quota),
            Err(quota) => {
                let error = AppError::RateLimited {
                    retry_after_secs: quota.reset_in_secs(since_epoch()),
                };
                Err((quota, error))
            }
        }
    }

    /// Adds `add` to the key's count when that stays within the limit (with `add` 0: whether
    /// the key is below it); the key's standing either way.
    fn count(&self, rule: &Rule, key: &str, add: u32, now: Duration) -> Result<Quota, Quota> {
        let (shard, hash) = self.locate(rule, key);
        let window_ms = rule.window.as_millis().max(1) as u64;
        let now_ms = now.as_millis() as u64;
        let window = now_ms / window_ms;
        let Ok(mut rules) = self.shards[shard].lock() else {
            // A poisoned lock (a panic while counting): refuse rather than count nothing.
            return Err(Quota::spent(rule, (window + 1) * window_ms));
        };
        let counters = rules.entry(rule.name).or_default();
        if counters.window != window {
            // A new window: last window's counters go in one piece.
            *counters = Counters {
                window,
                counts: HashMap::new(),
            };
        }
        // The shard's last place is kept for the shared overflow counter.
        let slot = if counters.counts.contains_key(&hash)
            || counters.counts.len() < MAX_KEYS_PER_SHARD - 1
        {
            hash
        } else {
            OVERFLOW
        };
        let count = counters.counts.entry(slot).or_insert(0);
        let allowed = if add == 0 {
            *count < rule.limit
        } else {
            count.saturating_add(add) <= rule.limit
        };
        if allowed {
            *count += add;
        }
        let quota = Quota {
            limit: rule.limit,
            remaining: rule.limit.saturating_sub(*count),
            resets_at_ms: (window + 1) * window_ms,
        };
        if allowed { Ok(quota) } else { Err(quota) }
    }
}

/// Where a key stands against a rule in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// When the window ends (unix milliseconds).
    pub resets_at_ms: u64,
}

impl Quota {
    fn spent(rule: &Rule, resets_at_ms: u64) -> Self {
        Self {
            limit: rule.limit,
            remaining: 0,
            resets_at_ms,
        }
    }

    /// When the window ends, in unix seconds (rounded up).
    pub fn resets_at_secs(&self) -> u64 {
        self.resets_at_ms.div_ceil(1000)
    }

    /// Whole seconds from `now` until the window ends (at least 1).
    fn reset_in_secs(&self, now: Duration) -> u64 {
        let now_ms = now.as_millis() as u64;
        self.resets_at_ms
            .saturating_sub(now_ms)
            .div_ceil(1000)
            .max(1)
    }
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule {
        name: "t",
        limit: 2,
        window: Duration::from_secs(60),
    };

    #[test]
    fn the_limit_applies_per_key_and_says_when_to_retry() {
        let throttle = Throttle::default();
        throttle.hit(&RULE, "a").unwrap();
        throttle.hit(&RULE, "a").unwrap();
        let Err(AppError::RateLimited { retry_after_secs }) = throttle.hit(&RULE, "a") else {
            panic!("the third hit must be refused");
        };
        assert!((1..=60).contains(&retry_after_secs));
        assert!(throttle.check(&RULE, "a").is_err());
        throttle.hit(&RULE, "b").unwrap();
        throttle.clear(&RULE, "a");
        throttle.hit(&RULE, "a").unwrap();
    }

    #[test]
    fn a_window_ends_on_the_clock_and_its_counters_go_with_it() {
        let throttle = Throttle::default();
        let at = |secs: u64| Duration::from_secs(secs);
        throttle.apply(&RULE, "a", 1, at(120)).unwrap();
        throttle.apply(&RULE, "a", 1, at(150)).unwrap();
        let Err(AppError::RateLimited { retry_after_secs }) =
            throttle.apply(&RULE, "a", 1, at(170))
        else {
            panic!("over the limit");
        };
        assert_eq!(retry_after_secs, 10, "until the window ends at 180 s");
        assert_eq!(throttle.keys(), 1);
        throttle.apply(&RULE, "b", 1, at(180)).unwrap();
        throttle.apply(&RULE, "a", 1, at(181)).unwrap();
        assert_eq!(
            throttle.keys(),
            2,
            "the last window's counters were dropped"
        );
    }

    #[test]
    fn twice_the_bound_of_distinct_long_keys_keep_memory_bounded_and_stay_throttled() {
        let throttle = Throttle::default();
        let now = since_epoch();
        let long = "x".repeat(256);
        for i in 0..(MAX_KEYS_PER_RULE * 2) {
            let _ = throttle.apply(&RULE, &format!("{i}{long}"), 1, now);
        }
        assert!(
            throttle.keys() <= MAX_KEYS_PER_RULE,
            "{} keys",
            throttle.keys()
        );
        // Keys past the bound share one counter, which the flood has long used up.
        assert!(throttle.apply(&RULE, "newcomer", 1, now).is_err());
        // A key counted before the bound was reached keeps its own count.
        let throttle = Throttle::default();
        throttle.apply(&RULE, "early", 1, now).unwrap();
        for i in 0..(MAX_KEYS_PER_RULE * 2) {
            let _ = throttle.apply(&RULE, &i.to_string(), 1, now);
        }
        throttle.apply(&RULE, "early", 1, now).unwrap();
        assert!(throttle.apply(&RULE, "early", 1, now).is_err());
    }
}
