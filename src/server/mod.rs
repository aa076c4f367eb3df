//! Running the service: bind, print the address, serve plain HTTP or TLS with hyper's limits,
//! with a cap on open connections ([`crate::server::connections`]),
//! and shut down cleanly on SIGINT or SIGTERM, closing the database last.
//!
//! The serving machinery lives here: TLS and its reload, the redirect listener, the connection
//! cap, the data directory check and the process hardening. What a request does is
//! [`crate::http`]'s.

pub mod connections;
pub mod data_dir;
pub mod hardening;
pub mod metrics;
pub mod redirect;
pub mod tls;
pub mod tls_reload;

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;

use crate::clock::Clock;
use crate::config::Config;
use crate::config::limits::Limits;
use crate::http::{App, AppState, build_router};
use crate::store::{Store, StoreError};
use connections::Capped;
use tls::TlsError;

/// Largest request head (request line and headers), in bytes.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Time allowed for a client to send the request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How much an HTTP/2 client may send on one stream before the service reads it.
const HTTP2_STREAM_WINDOW: u32 = 256 * 1024;
/// How often an HTTP/2 connection is pinged; one that does not answer within the header time
/// is closed.
const HTTP2_PING_INTERVAL: Duration = Duration::from_secs(30);
/// Time open connections get to finish when the service is asked to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why the service could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration does not allow serving as asked.
    #[error("{0}")]
    Refused(String),
    /// The TLS files are unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The database or keys could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be bound or served.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Serves `config` until SIGINT or SIGTERM. `listen` overrides the configured address.
pub async fn serve(
    config: Config,
    listen: Option<SocketAddr>,
    clock: Clock,
) -> Result<(), ServeError> {
    let listen = listen.unwrap_or(config.server.listen);
    config
        .check_transport(listen)
        .map_err(|problem| ServeError::Refused(crate::i18n::Lang::En.say(&problem)))?;
    let tls = match &config.server.tls {
        Some(files) => Some(RustlsConfig::from_config(tls::server_config(files)?)),
        None => None,
    };
    crate::server::data_dir::check_writable(&config).map_err(ServeError::Refused)?;
    // The digest's password and CA files are read now, so that a server whose digest could
    // never be sent does not start.
    let digest = match &config.digest {
        None => None,
        Some(digest) => Some(std::sync::Arc::new(crate::jobs::digest::Settings {
            digest: digest.clone(),
            mailer: crate::mail::Mailer::new(digest)
                .map_err(|e| ServeError::Refused(format!("setting `{}`: {e}", e.setting())))?,
            zone: config.association.time_zone,
            sign_in: format!("{}/signin", config.base_url()),
        })),
    };
    let store = Store::open(&config).await?;
    let name = config.association.letterhead.name.clone();
    let setup = if store.can_decrypt() {
        store
            .setup_link(
                clock.now().timestamp(),
                clock.today_in(config.association.time_zone),
            )
            .await?
    } else {
        tracing::info!("holding only the public key: taking concerns, reading nothing");
        None
    };
    let public_url = config.server.public_url.clone();
    let tls_files = config.server.tls.clone();
    let redirect_listen = config.server.redirect_http_listen;
    let sweeps = std::sync::Arc::new(crate::server::metrics::SweepTally::default());
    let sweeper = {
        let (clock, zone, tally) = (clock.clone(), config.association.time_zone, sweeps.clone());
        crate::jobs::spawn(
            "sweep",
            store.clone(),
            config.retention.sweep_interval,
            move |store| {
                let (clock, tally) = (clock.clone(), tally.clone());
                async move { crate::jobs::sweep::run_once(&store, &clock, zone, &tally).await }
            },
        )
    };
    let digester = digest.map(|settings| {
        tracing::info!(relay = %settings.mailer.relay(), "the e-mail digest is on");
        let clock = clock.clone();
        crate::jobs::spawn(
            "digest",
            store.clone(),
            settings.digest.check_interval,
            move |store| {
                let (clock, settings) = (clock.clone(), settings.clone());
                async move { crate::jobs::digest::run_once(&store, &clock, &settings).await }
            },
        )
    });
    let limits = config.limits.clone();
    let metrics_listen = config.metrics.listen;
    let listener = TcpListener::bind(listen).map_err(|source| ServeError::Io {
        what: format!("cannot listen on {listen}"),
        source,
    })?;
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| ServeError::Io { what, source }
    };
    listener
        .set_nonblocking(true)
        .map_err(io("cannot configure the listener"))?;
    let local = listener
        .local_addr()
        .map_err(io("cannot read the bound address"))?;
    // Links name the address actually bound (port 0 picks one) when no public_url is set.
    let mut config = config;
    config.server.listen = local;
    let app = App::new(config, store.clone(), clock)
        .map_err(|e| ServeError::Refused(format!("cannot set up the flood limits: {e}")))?;
    let state = AppState::new(app);
    let router = build_router(state.clone());

    let handle: Handle<SocketAddr> = Handle::new();
    tokio::spawn(stop_on_signal(handle.clone()));
    // The configuration allows the redirect listener only with an https:// public_url.
    let redirect = match (redirect_listen, public_url.clone()) {
        (Some(address), Some(public_url)) => {
            let target = crate::server::redirect::Target { public_url };
            let (bound, task) = crate::server::redirect::start(address, target, handle.clone())
                .map_err(io(&format!(
                    "server.redirect_http_listen: cannot listen on {address}"
                )))?;
            Some((bound, task))
        }
        _ => None,
    };

    let metrics = match metrics_listen {
        Some(address) => Some(
            crate::server::metrics::start(address, state, sweeps)
                .map_err(io(&format!("metrics.listen: cannot listen on {address}")))?,
        ),
        None => None,
    };

    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!("serving the ombuds program of {name}");
    crate::telemetry::say(format_args!("ombuds is listening on {scheme}://{local}/"));
    if let Some((bound, _)) = &redirect {
        crate::telemetry::say(format_args!("ombuds redirects http://{bound}/ to HTTPS"));
    }
    if let Some((bound, _)) = &metrics {
        crate::telemetry::say(format_args!(
            "ombuds serves metrics on http://{bound}/metrics"
        ));
    }
    if let Some(token) = setup {
        let base = public_url.unwrap_or_else(|| format!("{scheme}://{local}"));
        crate::telemetry::say(format_args!(
            "No administrator can sign in yet. Open this one-time link to create one \
             (it works for 72 hours, and a new one is printed at each start until then):\n  \
             {base}/enrol/{}",
            token.as_str()
        ));
    }

    // Under systemd with Type=notify: the service is ready once it listens. Outside systemd
    // (no NOTIFY_SOCKET) this does nothing.
    if let Err(e) = sd_notify::notify(&[sd_notify::NotifyState::Ready]) {
        tracing::warn!("cannot tell systemd the service is ready: {e}");
    }
    let served = match tls {
        Some(tls) => {
            let _reload =
                tls_files.map(|files| crate::server::tls_reload::spawn(tls.clone(), files));
            let mut server = axum_server::from_tcp_rustls(listener, tls)
                .map_err(io("cannot serve TLS"))?
                .handle(handle)
                .first_request_timeout(HEADER_READ_TIMEOUT);
            limit(server.http_builder(), &limits);
            server
                .serve(Capped::new(router, limits.max_connections))
                .await
        }
        None => {
            let mut server = axum_server::from_tcp(listener)
                .map_err(io("cannot serve HTTP"))?
                .handle(handle)
                .first_request_timeout(HEADER_READ_TIMEOUT);
            limit(server.http_builder(), &limits);
            server
                .serve(Capped::new(router, limits.max_connections))
                .await
        }
    };
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    sweeper.abort();
    if let Some(digester) = digester {
        digester.abort();
    }
    if let Some((_, task)) = metrics {
        task.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    served.map_err(io("the server stopped"))
}

/// Bounds what one client can make the server hold: header size, header time (which on
/// HTTP/1.1 also bounds how long an idle kept-alive connection stays open), HTTP/2 streams,
/// reset streams and idle HTTP/2 connections (pinged, closed when the ping goes unanswered).
fn limit(builder: &mut Builder<TokioExecutor>, limits: &Limits) {
    builder
        .http1()
        .max_buf_size(MAX_HEADER_BYTES.max(8192))
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .timer(TokioTimer::new());
    builder
        .http2()
        .max_header_list_size(u32::try_from(MAX_HEADER_BYTES).unwrap_or(u32::MAX))
        .max_concurrent_streams(limits.http2_max_streams)
        // A body is at most 192 KiB: a client may send no more than that ahead on a stream,
        // so a request waiting for its turn holds at most this much.
        .initial_stream_window_size(HTTP2_STREAM_WINDOW)
        .max_pending_accept_reset_streams(Some(32))
        .max_local_error_reset_streams(Some(256))
        .keep_alive_interval(Some(HTTP2_PING_INTERVAL))
        .keep_alive_timeout(HEADER_READ_TIMEOUT)
        .timer(TokioTimer::new());
}

async fn stop_on_signal(handle: Handle<SocketAddr>) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("stopping: finishing open requests");
    handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
}
