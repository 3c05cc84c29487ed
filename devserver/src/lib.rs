//! handoff-chat dev server: a Direct Line 3.0 emulator with a demo bot, the engagement hub
//! of live-agent handoff (relay and bridge, `docs/handoff.md`) with its agent console, plus
//! static files.
//!
//! Layout:
//! - [`config`]: command-line flags.
//! - [`clock`]: injectable time (tests expire tokens without sleeping).
//! - [`error`]: `AppError`, the Direct Line error responses, JSON body extractors.
//! - [`auth`]: secret / token rules.
//! - [`store`]: conversations, activity logs, tokens, per-conversation broadcast, and the
//!   hub state, under one lock; executes the hub's effects; saves itself after every change
//!   when the server runs with `--state FILE`.
//! - [`limits`]: body size, text length, JSON nesting, stream message size.
//! - [`persist`]: the state file: load, atomic replace.
//! - [`ratelimit`]: per-client limit on token and conversation creation (429).
//! - [`random`]: ids and tokens from the operating system's CSPRNG.
//! - [`bot`]: the demo bot, pure functions, with its rich-content demos.
//! - [`rich`]: parts of rich activities both the bot and the hub's agents send.
//! - [`demo_assets`]: `/demo-assets/...`, the pictures, file and pages the bot's cards
//!   point at.
//! - [`hub`]: handoffs, queue and agents, a pure state machine.
//! - [`endpoint`]: which Direct Line endpoint a request is for (bot or hub), its mount
//!   point, the caller of one conversation, the watermark query; what the next three share.
//! - [`directline`]: REST routes of both endpoints (`/v3/directline` for the bot,
//!   `/hub/v3/directline` for the hub) and the page token endpoints `/api/directline/token`
//!   and `/hub/api/token`; starts accept timers. Mounts [`stream`] and wraps in [`faults`].
//! - [`stream`]: the WebSocket stream (both endpoints) and the registry of open streams
//!   (so fault injection can drop them).
//! - [`console`]: the live-agent console page `/agent` and its API `/agent/api`.
//! - [`copilot`]: Copilot Studio's token and regional channel settings endpoints under
//!   `/powervirtualagents`, and `/_dev/stats` counting their calls.
//! - [`faults`]: `/_dev/faults` fault injection (only with `--faults`): failing and slow REST requests, dropped and
//!   refused streams, no streamUrl, short token lifetimes.
//! - [`guard`]: the `Host` check (DNS rebinding), CORS on the Direct Line and token routes
//!   only, `application/json` on JSON bodies.
//! - [`static_files`]: `/` (demo page) and the `dist` folder; the strict CSP of the
//!   Power Pages imitation pages.
//!
//! `main.rs` only parses flags, binds 127.0.0.1 and calls [`serve`]. Tests build the
//! router with [`app`] and drive it with `oneshot`, or serve it on port 0.

pub mod auth;
pub mod bot;
pub mod clock;
pub mod config;
pub mod console;
pub mod copilot;
pub mod demo_assets;
pub mod directline;
pub mod endpoint;
pub mod error;
pub mod faults;
pub mod guard;
pub mod hub;
pub mod limits;
pub mod persist;
pub mod random;
pub mod ratelimit;
pub mod rich;
pub mod static_files;
pub mod store;
pub mod stream;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub use clock::Clock;
pub use config::Config;

use faults::Faults;
use persist::{PersistError, StateFile};
use store::{Service, Store};
use stream::Streams;

/// Shared state of every handler (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The flags the server started with.
    pub config: Arc<Config>,
    /// Where handlers read the time.
    pub clock: Clock,
    /// Conversations and tokens.
    pub store: Arc<Store>,
    /// What `/_dev/faults` armed.
    pub faults: Arc<Faults>,
    /// The open WebSocket streams.
    pub streams: Arc<Streams>,
    /// Calls to the Copilot Studio endpoints (`/_dev/stats`).
    pub stats: Arc<copilot::Stats>,
    /// Token and conversation creations per client.
    pub limiter: Arc<ratelimit::RateLimiter>,
}

impl AppState {
    /// In-memory state with the system clock (ignores `config.state_file`; see
    /// [`AppState::open`]).
    pub fn new(config: Config) -> Self {
        Self::with_clock(config, Clock::system())
    }

    /// In-memory state with a given clock (tests use [`Clock::manual`]).
    pub fn with_clock(config: Config, clock: Clock) -> Self {
        let store = Store::new(config.token_lifetime);
        Self::with_store(config, clock, store)
    }

    /// State as the flags ask: restored from and saved to `config.state_file` when given,
    /// else in memory. Fails when the state file exists but cannot be read.
    pub fn open(config: Config, clock: Clock) -> Result<Self, PersistError> {
        let store = match &config.state_file {
            Some(path) => Store::open(config.token_lifetime, StateFile::new(path))?,
            None => Store::new(config.token_lifetime),
        };
        Ok(Self::with_store(config, clock, store))
    }

    fn with_store(config: Config, clock: Clock, store: Store) -> Self {
        Self {
            store: Arc::new(store),
            config: Arc::new(config),
            clock,
            faults: Arc::new(Faults::default()),
            streams: Arc::new(Streams::default()),
            stats: Arc::new(copilot::Stats::default()),
            limiter: Arc::new(ratelimit::RateLimiter::default()),
        }
    }
}

/// The whole application: both Direct Line endpoints, the page token endpoints, the agent
/// console, faults, static files. CORS on the Direct Line endpoints and token routes only;
/// the `Host` check on everything (see `guard.rs`).
pub fn app(state: AppState) -> Router {
    let cross_origin = Router::new()
        .route("/api/directline/token", get(directline::page_token))
        .route("/hub/api/token", get(directline::hub_page_token))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            ratelimit::limit,
        ))
        .nest(
            endpoint::BOT_BASE,
            directline::service(state.clone(), Service::Bot),
        )
        .nest(
            endpoint::HUB_BASE,
            directline::service(state.clone(), Service::Hub),
        )
        .merge(copilot::token_routes(state.clone()))
        .layer(guard::cors());
    Router::new()
        .merge(cross_origin)
        .merge(copilot::routes())
        .merge(console::routes())
        .merge(demo_assets::routes())
        .merge(faults::routes(state.config.faults))
        .merge(static_files::routes(
            state.clone(),
            state.config.dist.clone(),
        ))
        .layer(DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::check_host,
        ))
        .with_state(state)
}

/// Serves the app on an already bound listener until the task is dropped. First restarts
/// the accept timers of handoffs a restored store holds as waiting.
/// The `Host` check and the URLs handed out name the port actually bound (`--port 0`).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let state = AppState {
        config: Arc::new(Config {
            port,
            ..(*state.config).clone()
        }),
        ..state
    };
    directline::resume_accept_timeouts(&state);
    // The peer address, for the per-client rate limit.
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).await
}
