//! A small, bounded cache of public reads (a product list, a guest's page), so that the same
//! answer asked for many times a second is computed once.
//!
//! Freshness has two bounds. Every write transaction that commits in this process
//! ([`Tx::commit`](super::tx::Tx::commit)) advances the cache's generation, and an entry filled
//! under an older generation is never served again: a reader of this process never sees an
//! answer older than the last write it could know of. Writes it cannot see — another instance
//! on the same PostgreSQL, a counter bumped outside a transaction such as a product's views —
//! show after at most [`ReadCache::TTL`], plus the time one reader takes to compute the
//! answer again (meanwhile the others are given the aged answer rather than kept waiting).
//!
//! Only answers that are the same for every caller belong here (no viewer, no session). The
//! map is bounded by entries and by an estimate of their bytes; when full, stale entries go
//! first and then everything, so a stranger asking for endless distinct lists costs at most
//! the bound.
//!
//! A missing answer is computed once for everyone who asks for it at the same time
//! ([`ReadCache::lead`]): right after a write, a crowd asking for the same page waits for one
//! rendering instead of each rendering it.

use super::types::Page;
use serde::Serialize;
use serde_json::value::RawValue;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Default)]
pub struct ReadCache {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: AtomicU64,
    entries: Mutex<Entries>,
    /// The keys being computed now, each with the lock its computer holds until it is done.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    generation: u64,
    expires: Instant,
    bytes: usize,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("generation", &self.generation)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl ReadCache {
    /// How long an answer may be served when no write of this process has touched it.
    pub const TTL: Duration = Duration::from_secs(2);
    /// At most this many answers …
    pub const MAX_ENTRIES: usize = 256;
    /// … of at most this many bytes together (as estimated by whoever stores them).
    pub const MAX_BYTES: usize = 4 * 1024 * 1024;
    /// Keys longer than this are not cached (a key is the question, which a stranger writes).
    pub const MAX_KEY: usize = 512;

    /// The generation to pass to [`put`](Self::put): read it *before* computing the answer,
    /// so that a write committed meanwhile makes the answer stale at once.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Something was written: no answer computed before now is served again.
    pub fn invalidate(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The answer stored under `key`, if it is still fresh and of type `T`.
    pub fn get<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let generation = self.generation();
        let entries = self.entries();
        let entry = entries.map.get(key)?;
        if entry.generation != generation || entry.expires <= Instant::now() {
            return None;
        }
        Arc::clone(&entry.value).downcast::<T>().ok()
    }

    /// Stores `value` (about `bytes` big) under `key`, computed under `generation`. An answer
    /// already stale, too big, or with too long a key is not stored.
    pub fn put<T: Any + Send + Sync>(
        &self,
        key: &str,
        generation: u64,
        value: Arc<T>,
        bytes: usize,
    ) {
        if key.len() > Self::MAX_KEY
            || bytes > Self::MAX_BYTES / 8
            || generation != self.generation()
        {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries();
        if let Some(old) = entries.map.remove(key) {
            entries.bytes -= old.bytes;
        }
        if entries.map.len() >= Self::MAX_ENTRIES || entries.bytes + bytes > Self::MAX_BYTES {
            let current = self.generation();
            entries
                .map
                .retain(|_, entry| entry.generation == current && entry.expires > now);
            entries.bytes = entries.map.values().map(|entry| entry.bytes).sum();
        }
        if entries.map.len() >= Self::MAX_ENTRIES || entries.bytes + bytes > Self::MAX_BYTES {
            entries.map.clear();
            entries.bytes = 0;
        }
        entries.bytes += bytes;
        entries.map.insert(
            key.to_owned(),
            Entry {
                value,
                generation,
                expires: now + Self::TTL,
                bytes,
            },
        );
    }

    /// Call after a miss, before computing `key`. If someone is computing it already and the
    /// answer they are replacing only aged out (no write of this process came since), that
    /// answer is returned (`Err`) rather than waited for: the age limit is for what other
    /// instances write, and it is exceeded only by the time one computation takes. Otherwise
    /// waits until they are done (then look again: their answer is likely kept) and returns
    /// a lead that holds nothing — two callers never wait on each other in turn. When no one
    /// is computing it, returns a lead that makes later callers wait (or take the aged
    /// answer) until it is dropped, after the answer is stored.
    pub async fn lead<T: Any + Send + Sync>(&self, key: &str) -> Result<Lead, Arc<T>> {
        if key.len() > Self::MAX_KEY {
            return Ok(Lead::default());
        }
        let waiting_for = {
            let mut flights = lock(&self.inner.flights);
            match flights.get(key) {
                Some(flight) => {
                    if let Some(aged) = self.aged(key) {
                        return Err(aged);
                    }
                    Arc::clone(flight)
                }
                None => {
                    // Locked before anyone can see it, so no one slips past the leader.
                    let flight = Arc::new(tokio::sync::Mutex::new(()));
                    let Ok(guard) = Arc::clone(&flight).try_lock_owned() else {
                        return Ok(Lead::default());
                    };
                    flights.insert(key.to_owned(), Arc::clone(&flight));
                    return Ok(Lead {
                        held: Some(Held {
                            cache: self.clone(),
                            key: key.to_owned(),
                            flight,
                            guard,
                        }),
                    });
                }
            }
        };
        drop(waiting_for.lock().await);
        Ok(Lead::default())
    }

    /// The answer under `key` if it was computed under the current generation, however old.
    fn aged<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let generation = self.generation();
        let entries = self.entries();
        let entry = entries.map.get(key)?;
        if entry.generation != generation {
            return None;
        }
        Arc::clone(&entry.value).downcast::<T>().ok()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        lock(&self.inner.entries)
    }
}

/// The maps are consistent after every statement: a panic elsewhere cannot corrupt them.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The right to compute a missing answer while others wait (see [`ReadCache::lead`]).
#[derive(Default)]
#[must_use = "others wait only while the lead is held"]
pub struct Lead {
    held: Option<Held>,
}

/// A lead's cache and key, and the flight lock it holds.
struct Held {
    cache: ReadCache,
    key: String,
    flight: Arc<tokio::sync::Mutex<()>>,
    guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Lead {
    fn drop(&mut self) {
        if let Some(Held {
            cache,
            key,
            flight,
            guard,
        }) = self.held.take()
        {
            let mut flights = lock(&cache.inner.flights);
            if flights.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
                flights.remove(&key);
            }
            drop(flights);
            // Releasing the lock wakes the waiters.
            drop(guard);
        }
    }
}

/// A page of a list as kept in the cache: its items, and their JSON, written the first time
/// it is asked for and reused by every later answer (writing it was a third of the work of
/// serving a kept list).
#[derive(Debug)]
pub struct SharedPage<T> {
    page: Page<T>,
    json: OnceLock<Option<Box<RawValue>>>,
}

impl<T: Serialize> SharedPage<T> {
    pub fn new(page: Page<T>) -> Self {
        Self {
            page,
            json: OnceLock::new(),
        }
    }

    pub fn page(&self) -> &Page<T> {
        &self.page
    }

    /// The items as JSON (`None` only if they cannot be written, which serializing them
    /// directly will then report).
    pub fn items_json(&self) -> Option<&RawValue> {
        self.json
            .get_or_init(|| serde_json::value::to_raw_value(&self.page.items).ok())
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::{ReadCache, lock};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[test]
    fn a_write_makes_every_earlier_answer_stale() {
        let cache = ReadCache::default();
        let before = cache.generation();
        cache.put("list", before, Arc::new(1_u32), 4);
        assert_eq!(cache.get::<u32>("list").as_deref(), Some(&1));
        cache.invalidate();
        assert_eq!(cache.get::<u32>("list"), None);
        // An answer computed across a write is not stored at all.
        cache.put("list", before, Arc::new(2_u32), 4);
        assert_eq!(cache.get::<u32>("list"), None);
    }

    #[test]
    fn the_map_stays_within_its_bounds() {
        let cache = ReadCache::default();
        let generation = cache.generation();
        for n in 0..(ReadCache::MAX_ENTRIES * 4) {
            cache.put(&format!("list-{n}"), generation, Arc::new(n), 64);
        }
        let entries = cache.entries();
        assert!(entries.map.len() <= ReadCache::MAX_ENTRIES);
        assert_eq!(
            entries.bytes,
            entries.map.values().map(|e| e.bytes).sum::<usize>()
        );
        drop(entries);
        let big = ReadCache::MAX_BYTES / 8;
        for n in 0..32 {
            cache.put(&format!("big-{n}"), generation, Arc::new(n), big);
        }
        assert!(cache.entries().bytes <= ReadCache::MAX_BYTES);
        let long = "k".repeat(ReadCache::MAX_KEY + 1);
        cache.put(&long, generation, Arc::new(1_usize), 8);
        assert_eq!(cache.get::<usize>(&long), None);
    }

    #[tokio::test]
    async fn a_missing_answer_is_computed_once_for_a_crowd() {
        let cache = ReadCache::default();
        let computed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let ask = |cache: ReadCache, computed: Arc<std::sync::atomic::AtomicUsize>| async move {
            if let Some(hit) = cache.get::<u32>("page") {
                return *hit;
            }
            let lead = cache
                .lead::<u32>("page")
                .await
                .expect("nothing aged to serve");
            if let Some(hit) = cache.get::<u32>("page") {
                return *hit;
            }
            let generation = cache.generation();
            computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            cache.put("page", generation, Arc::new(7_u32), 4);
            drop(lead);
            7
        };
        let crowd: Vec<_> = (0..32)
            .map(|_| tokio::spawn(ask(cache.clone(), Arc::clone(&computed))))
            .collect();
        for asker in crowd {
            assert_eq!(asker.await.unwrap(), 7);
        }
        assert_eq!(computed.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            lock(&cache.inner.flights).is_empty(),
            "no flight outlives its lead"
        );
    }

    #[tokio::test]
    async fn an_aged_answer_is_served_while_one_caller_computes_it_again_but_not_after_a_write() {
        let cache = ReadCache::default();
        cache.put("page", cache.generation(), Arc::new(1_u32), 4);
        let age = |cache: &ReadCache| {
            let mut entries = cache.entries();
            let entry = entries.map.get_mut("page").unwrap();
            entry.expires = Instant::now() - Duration::from_millis(1);
        };
        age(&cache);
        assert_eq!(cache.get::<u32>("page"), None, "aged out");
        let leader = cache
            .lead::<u32>("page")
            .await
            .expect("the first one computes");
        let other = tokio::time::timeout(Duration::from_secs(1), cache.lead::<u32>("page"));
        let Err(aged) = other.await.expect("not kept waiting for the leader") else {
            panic!("the others take the aged answer");
        };
        assert_eq!(*aged, 1);
        drop(leader);
        // After a write of this process the old answer is never served, not even meanwhile:
        // the others wait for the leader and then find its new answer.
        cache.put("page", cache.generation(), Arc::new(2_u32), 4);
        age(&cache);
        cache.invalidate();
        let leader = cache
            .lead::<u32>("page")
            .await
            .expect("the first one computes");
        let waiter = tokio::spawn({
            let cache = cache.clone();
            async move {
                let lead = cache
                    .lead::<u32>("page")
                    .await
                    .expect("no aged answer after a write");
                drop(lead);
                cache.get::<u32>("page")
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiter.is_finished(),
            "the other caller waits for the leader"
        );
        cache.put("page", cache.generation(), Arc::new(3_u32), 4);
        drop(leader);
        assert_eq!(waiter.await.unwrap().as_deref(), Some(&3));
    }

    #[test]
    fn an_answer_is_read_back_only_as_its_own_type() {
        let cache = ReadCache::default();
        cache.put("list", cache.generation(), Arc::new(7_u64), 8);
        assert_eq!(cache.get::<u32>("list"), None);
        assert_eq!(cache.get::<u64>("list").as_deref(), Some(&7));
    }
}
