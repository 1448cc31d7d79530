//! Brute-force throttling: counters per rule and key (an address or an account) in fixed
//! windows. A caller over the limit gets `RATE_LIMIT_EXCEEDED` with the seconds until the
//! window ends — it is slowed down, never locked out for good, so an attacker hammering
//! someone's account cannot keep its owner out for longer than a window.
//!
//! The counters live in memory: each instance limits on its own, which bounds an attacker
//! at N × the limit behind N instances — acceptable for slowing guessing down.

use crate::error::AppError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

#[derive(Debug)]
struct Window {
    started: Instant,
    count: u32,
}

/// The counters; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Throttle {
    windows: Arc<Mutex<HashMap<(&'static str, String), Window>>>,
}

impl Throttle {
    /// Counts one event; fails when that makes more than the rule allows.
    pub fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        self.apply(rule, key, 1)
    }

    /// Fails when the key is already at its limit, without counting.
    pub fn check(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        self.apply(rule, key, 0)
    }

    /// Forgets the key's count (e.g. failures, after a successful sign-in).
    pub fn clear(&self, rule: &Rule, key: &str) {
        if let Ok(mut windows) = self.windows.lock() {
            windows.remove(&(rule.name, key.to_owned()));
        }
    }

    fn apply(&self, rule: &Rule, key: &str, add: u32) -> Result<(), AppError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().map_err(|_| AppError::Internal)?;
        if windows.len() > 100_000 {
            windows.retain(|_, w| now.duration_since(w.started) < Duration::from_secs(3600));
        }
        let window = windows
            .entry((rule.name, key.to_owned()))
            .or_insert(Window {
                started: now,
                count: 0,
            });
        if now.duration_since(window.started) >= rule.window {
            *window = Window {
                started: now,
                count: 0,
            };
        }
        let allowed = if add == 0 {
            window.count < rule.limit
        } else {
            window.count + add <= rule.limit
        };
        if !allowed {
            let left = rule
                .window
                .saturating_sub(now.duration_since(window.started));
            return Err(AppError::RateLimited {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        window.count += add;
        Ok(())
    }
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
}
