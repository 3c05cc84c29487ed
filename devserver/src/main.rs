//! `devserver` binary: parse flags, bind 127.0.0.1, print the URL, serve until Ctrl-C.

use std::io::Write;
use std::net::Ipv4Addr;
use std::process::ExitCode;

use devserver::config::{ConfigError, USAGE};
use devserver::{static_files, AppState, Clock, Config};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(ConfigError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("devserver: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Before binding: a state file that cannot be read stops the server (starting empty would
    // overwrite it at the first change).
    let state = match AppState::open(config.clone(), Clock::system()) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("devserver: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Loopback only: the secret and fault injection must never be reachable from the LAN.
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("devserver: cannot bind 127.0.0.1:{}: {e}", config.port);
            return ExitCode::FAILURE;
        }
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => {
            eprintln!("devserver: no local address: {e}");
            return ExitCode::FAILURE;
        }
    };
    if !config.dist.join(static_files::DEMO_PAGE).is_file() {
        eprintln!(
            "devserver: {} not found yet; `/` answers 503 until the widget is built",
            config.dist.join(static_files::DEMO_PAGE).display()
        );
    }
    // Tests and scripts parse this exact line to learn the port.
    println!("handoff-chat dev server: http://127.0.0.1:{port}/");
    println!("live-agent console: http://127.0.0.1:{port}/agent");
    // Random per start unless `--secret` named it: backends and scripts read it here.
    println!(
        "Direct Line secret (Bearer, backends and scripts only): {}",
        config.secret
    );
    if let Some(file) = state.store.state_file() {
        println!(
            "state file: {} ({} conversations restored)",
            file.path().display(),
            state.store.conversation_count()
        );
    }
    let _ = std::io::stdout().flush();

    tokio::select! {
        result = devserver::serve(listener, state) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("devserver: {e}");
                ExitCode::FAILURE
            }
        },
        // Exit at once: open WebSockets would keep a graceful shutdown waiting forever.
        () = shutdown_signal() => ExitCode::SUCCESS,
    }
}

/// Ctrl-C, or SIGTERM (what test harnesses and process managers send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
