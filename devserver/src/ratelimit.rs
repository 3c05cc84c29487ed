//! Per-client rate limit on token and conversation creation: a token bucket per client IP
//! address (from the connection; requests without one, as in `oneshot` tests, share one
//! bucket). A client over the limit gets 429 with `Retry-After`, which the Direct Line
//! clients honour. Time comes from the app's [`crate::Clock`], so tests need not wait.
//!
//! Owns the buckets only; the routes it guards are chosen in `lib.rs` and `directline.rs`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Mutex, MutexGuard};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use handoff_core::time::Millis;

use crate::error::AppError;
use crate::AppState;

/// Creations a client may make at once.
pub const BURST: u32 = 60;
/// One more creation becomes available every this many milliseconds (two a second).
pub const REFILL_MS: Millis = 500;
/// Buckets kept before full ones (idle clients) are forgotten.
const MAX_CLIENTS: usize = 1024;

/// One client's bucket: how many creations are left, as of when.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    left: u32,
    at: Millis,
}

impl Bucket {
    /// Adds what was refilled since `at` (never above [`BURST`]).
    fn refill(&mut self, now: Millis) {
        let earned = now.saturating_sub(self.at) / REFILL_MS;
        let earned = u32::try_from(earned).unwrap_or(u32::MAX);
        self.left = self.left.saturating_add(earned).min(BURST);
        if self.left == BURST {
            self.at = now;
        } else {
            self.at = self.at.saturating_add(Millis::from(earned) * REFILL_MS);
        }
    }
}

/// The buckets of every client.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// Takes one creation for `client` at `now`; when none is left, the seconds until one is.
    pub fn take(&self, client: IpAddr, now: Millis) -> Result<(), u64> {
        let mut buckets = self.lock();
        if buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| {
                b.refill(now);
                b.left < BURST
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            left: BURST,
            at: now,
        });
        bucket.refill(now);
        if bucket.left == 0 {
            let wait = bucket.at.saturating_add(REFILL_MS).saturating_sub(now);
            return Err(wait.div_ceil(1000).max(1));
        }
        bucket.left -= 1;
        Ok(())
    }

    /// Recovers from poisoning: the buckets are plain values, always usable.
    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, Bucket>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Middleware of the creating routes: 429 with `Retry-After` once the client's bucket is
/// empty.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    match state.limiter.take(client, state.clock.now()) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => AppError::TooManyRequests { retry_after }.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

    #[test]
    fn a_burst_then_one_per_refill() {
        let limiter = RateLimiter::default();
        for _ in 0..BURST {
            assert_eq!(limiter.take(A, 0), Ok(()));
        }
        assert_eq!(limiter.take(A, 0), Err(1));
        assert_eq!(
            limiter.take(B, 0),
            Ok(()),
            "another client has its own bucket"
        );
        assert_eq!(limiter.take(A, REFILL_MS - 1), Err(1));
        assert_eq!(limiter.take(A, REFILL_MS), Ok(()));
        assert_eq!(limiter.take(A, REFILL_MS), Err(1));
        // A long pause refills the whole burst and no more; huge times do not overflow.
        for _ in 0..BURST {
            assert_eq!(limiter.take(A, Millis::MAX), Ok(()));
        }
        assert!(limiter.take(A, Millis::MAX).is_err());
    }
}
