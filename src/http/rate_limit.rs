//! Rate limits per API key: a token bucket per key (governor's GCRA), refilled at
//! `per_second` and holding at most `burst` requests. Checked once per HTTP request,
//! right after the key is known and before anything executes.
//!
//! The buckets live in this process: each replica limits on its own (README says how to
//! size the limit for N replicas). Only authenticated keys get a bucket, so the map holds
//! at most one entry per live key, and a sweep at most once a minute drops every bucket
//! that is full again (indistinguishable from a fresh one) and shrinks the map.

use std::{
    num::NonZeroU32,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use uuid::Uuid;

use crate::config::RateLimit;
use crate::error::Error;

/// How often idle buckets are dropped.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub(crate) struct KeyLimiter {
    buckets: DefaultKeyedRateLimiter<Uuid>,
    started: Instant,
    /// Milliseconds after `started` of the last sweep.
    last_sweep_ms: AtomicU64,
}

impl KeyLimiter {
    pub(crate) fn new(rate: RateLimit) -> Self {
        let quota = Quota::per_second(rate.per_second).allow_burst(rate.burst);
        Self {
            buckets: RateLimiter::keyed(quota),
            started: Instant::now(),
            last_sweep_ms: AtomicU64::new(0),
        }
    }

    /// Takes one request from the key's bucket, or says when the next one is due.
    #[cfg(test)]
    pub(crate) fn check(&self, api_key_id: Uuid) -> Result<(), Error> {
        self.check_n(api_key_id, NonZeroU32::MIN)
    }

    /// Takes `n` requests at once (a JSON batch of `n` operations), or none of them.
    pub(crate) fn check_n(&self, api_key_id: Uuid, n: NonZeroU32) -> Result<(), Error> {
        self.sweep_now_and_then();
        match self.buckets.check_key_n(&api_key_id, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => {
                let wait = not_until.wait_time_from(self.buckets.clock().now());
                Err(Error::RateLimited {
                    // Retry-After is in whole seconds: round up, never 0.
                    retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                })
            }
            // More operations than the bucket can ever hold: no wait would help.
            Err(governor::InsufficientCapacity(burst)) => Err(Error::LimitExceeded {
                code: "MAX_BATCH_SIZE_LIMIT",
                message: format!(
                    "a batch may hold at most {burst} operations under this server's rate-limit burst"
                ),
            }),
        }
    }

    /// Buckets currently held (for tests of the memory bound).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.len()
    }

    fn sweep_now_and_then(&self) {
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_sweep_ms.load(Ordering::Relaxed);
        let due = now.saturating_sub(last) >= SWEEP_EVERY.as_millis() as u64;
        // One caller wins the exchange and sweeps; the others go on.
        if due
            && self
                .last_sweep_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.buckets.retain_recent();
            self.buckets.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: u32, burst: u32) -> KeyLimiter {
        KeyLimiter::new(RateLimit {
            per_second: NonZeroU32::new(per_second).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        })
    }

    #[test]
    fn a_key_gets_its_burst_then_waits_whole_seconds() {
        let limiter = limiter(1, 3);
        let key = Uuid::new_v4();
        for _ in 0..3 {
            limiter.check(key).unwrap();
        }
        let Err(Error::RateLimited { retry_after_secs }) = limiter.check(key) else {
            panic!("the fourth request must be refused");
        };
        assert_eq!(retry_after_secs, 1);
        // Another key has its own bucket.
        limiter.check(Uuid::new_v4()).unwrap();
        assert_eq!(limiter.len(), 2);
    }

    #[test]
    fn a_batch_takes_a_token_per_operation_or_none() {
        let limiter = limiter(1, 10);
        let key = Uuid::new_v4();
        limiter.check_n(key, NonZeroU32::new(8).unwrap()).unwrap();
        // 3 more do not fit in the 2 left: refused whole, and the 2 stay.
        assert!(matches!(
            limiter.check_n(key, NonZeroU32::new(3).unwrap()),
            Err(Error::RateLimited { .. })
        ));
        limiter.check_n(key, NonZeroU32::new(2).unwrap()).unwrap();
        assert!(matches!(
            limiter.check_n(Uuid::new_v4(), NonZeroU32::new(11).unwrap()),
            Err(Error::LimitExceeded {
                code: "MAX_BATCH_SIZE_LIMIT",
                ..
            })
        ));
    }

    #[test]
    fn a_sweep_a_minute_drops_the_buckets_that_are_full_again() {
        let mut limiter = limiter(1000, 1);
        for _ in 0..100 {
            limiter.check(Uuid::new_v4()).unwrap();
        }
        assert_eq!(limiter.len(), 100);
        // Every bucket refills in 1 ms; pretend a minute has passed since the last sweep.
        std::thread::sleep(Duration::from_millis(5));
        limiter.started = Instant::now() - SWEEP_EVERY;
        limiter.check(Uuid::new_v4()).unwrap();
        assert_eq!(
            limiter.len(),
            1,
            "only the bucket used after the sweep is left"
        );
    }
}
