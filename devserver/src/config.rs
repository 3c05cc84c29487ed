//! Command-line configuration of the dev server.
//!
//! Hand-parsed (eight flags do not justify a parser dependency). Pure apart from drawing the
//! default secret: takes the arguments, returns a [`Config`] or a [`ConfigError`]; `main`
//! decides what to print and exit with.

use std::path::PathBuf;
use std::time::Duration;

use crate::random::{random_id, ID_LEN};

/// Usage text printed by `--help` and after a bad argument.
pub const USAGE: &str = "\
Usage: devserver [--port N] [--dist DIR] [--secret S] [--token-lifetime SECS] [--keepalive-secs N]
                 [--accept-timeout SECS] [--state FILE] [--faults]

  --port N               port on 127.0.0.1 (default 8080; 0 = any free port)
  --dist DIR             folder with the built widget and demo.html (default dist)
  --secret S             Direct Line secret accepted as Bearer credential from backends and
                         scripts, never from a browser page (default: random, printed at start)
  --token-lifetime SECS  lifetime of issued tokens (default 1800)
  --keepalive-secs N     empty WebSocket frame every N seconds (default 15; 0 = never)
  --accept-timeout SECS  a handoff no agent accepts in time fails (default 120; 0 = never)
  --state FILE           keep conversations, tokens and handoffs in FILE (JSON), saved after
                         every change and loaded at start, so a restart loses nothing
                         (default: in memory only)
  --faults               serve the fault injection API /_dev/faults (tests; default: off)

Live-agent console: http://127.0.0.1:<port>/agent";

/// Everything the server needs to know at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Port to bind on 127.0.0.1; 0 lets the OS pick one.
    pub port: u16,
    /// Folder served as static files; `/` answers with `<dist>/demo.html`.
    pub dist: PathBuf,
    /// The Direct Line secret (a page never sees it; it uses `/api/directline/token`).
    /// Random per start unless `--secret` names one, so no well-known secret opens a
    /// running dev server.
    pub secret: String,
    /// How long an issued token is valid.
    pub token_lifetime: Duration,
    /// Interval of the empty keep-alive frames on the stream; zero disables them.
    pub keepalive: Duration,
    /// How long a handoff waits for an agent before it fails; zero waits forever.
    pub accept_timeout: Duration,
    /// Where the state is persisted across restarts; `None` keeps it in memory only.
    pub state_file: Option<PathBuf>,
    /// Whether `/_dev/faults` exists (fault injection is for tests only).
    pub faults: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 8080,
            dist: PathBuf::from("dist"),
            secret: random_id(ID_LEN),
            token_lifetime: Duration::from_secs(1800),
            keepalive: Duration::from_secs(15),
            accept_timeout: Duration::from_secs(120),
            state_file: None,
            faults: false,
        }
    }
}

/// Why the command line was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `--help` or `-h`: not an error, but the caller prints usage and stops.
    #[error("help requested")]
    Help,
    #[error("unknown argument `{0}`")]
    Unknown(String),
    #[error("`{0}` needs a value")]
    MissingValue(String),
    #[error("`{flag}` expects a number, got `{value}`")]
    NotANumber { flag: String, value: String },
}

impl Config {
    /// Parses the arguments after the program name: `--flag value` or `--flag=value`.
    pub fn from_args<I, S>(args: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut config = Config::default();
        let mut args = args.into_iter().map(Into::into);
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
                _ => (arg.clone(), None),
            };
            if flag == "--help" || flag == "-h" {
                return Err(ConfigError::Help);
            }
            if arg == "--faults" {
                config.faults = true;
                continue;
            }
            if !matches!(
                flag.as_str(),
                "--port"
                    | "--dist"
                    | "--secret"
                    | "--token-lifetime"
                    | "--keepalive-secs"
                    | "--accept-timeout"
                    | "--state"
            ) {
                return Err(ConfigError::Unknown(arg));
            }
            let value = match inline.or_else(|| args.next()) {
                Some(v) => v,
                None => return Err(ConfigError::MissingValue(flag)),
            };
            let number = |value: &str| {
                value.parse::<u64>().map_err(|_| ConfigError::NotANumber {
                    flag: flag.clone(),
                    value: value.to_owned(),
                })
            };
            match flag.as_str() {
                "--port" => {
                    config.port = value.parse().map_err(|_| ConfigError::NotANumber {
                        flag: flag.clone(),
                        value: value.clone(),
                    })?
                }
                "--dist" => config.dist = PathBuf::from(value),
                "--secret" => config.secret = value,
                "--token-lifetime" => config.token_lifetime = Duration::from_secs(number(&value)?),
                "--accept-timeout" => config.accept_timeout = Duration::from_secs(number(&value)?),
                "--state" => config.state_file = Some(PathBuf::from(value)),
                _ => config.keepalive = Duration::from_secs(number(&value)?),
            }
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_give_defaults() {
        let config = Config::from_args(Vec::<String>::new()).unwrap();
        let secret = config.secret.clone();
        assert_eq!(
            config,
            Config {
                secret,
                ..Config::default()
            }
        );
    }

    #[test]
    fn without_secret_each_start_draws_its_own() {
        let first = Config::from_args(Vec::<String>::new()).unwrap().secret;
        let second = Config::from_args(Vec::<String>::new()).unwrap().secret;
        assert_ne!(first, second);
        for secret in [first, second] {
            assert_eq!(secret.len(), ID_LEN, "{secret}");
            assert!(
                secret.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{secret}"
            );
        }
    }

    #[test]
    fn every_flag_is_read_in_both_spellings() {
        let config = Config::from_args([
            "--port",
            "0",
            "--dist=out",
            "--secret",
            "s3",
            "--token-lifetime=60",
            "--keepalive-secs",
            "2",
            "--accept-timeout=5",
            "--state",
            "state.json",
            "--faults",
        ])
        .unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.dist, PathBuf::from("out"));
        assert_eq!(config.secret, "s3");
        assert_eq!(config.token_lifetime, Duration::from_secs(60));
        assert_eq!(config.keepalive, Duration::from_secs(2));
        assert_eq!(config.accept_timeout, Duration::from_secs(5));
        assert_eq!(config.state_file, Some(PathBuf::from("state.json")));
        assert!(config.faults);
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(
            Config::from_args(["--prot", "1"]),
            Err(ConfigError::Unknown("--prot".into()))
        );
        assert_eq!(
            Config::from_args(["--port"]),
            Err(ConfigError::MissingValue("--port".into()))
        );
        assert!(matches!(
            Config::from_args(["--port", "99999"]),
            Err(ConfigError::NotANumber { .. })
        ));
        assert_eq!(Config::from_args(["-h"]), Err(ConfigError::Help));
    }
}
