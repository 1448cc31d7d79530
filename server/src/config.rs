//! Configuration: one typed struct, read once from the environment (and `.env`).
//!
//! Every variable has a safe default; a value that is present but wrong stops start-up with a
//! message naming the variable. The database URL may hold a password, so it never appears in
//! `Debug` output or logs.

use app::db::Backend;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// The variables, their defaults and meanings — the README's table mirrors this list.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "sqlite://data/agora.db",
        "sqlite://FILE (created if missing) or postgres://USER:PASSWORD@HOST/DB",
    ),
    (
        "AGORA_LISTEN_ADDR",
        "127.0.0.1:3000",
        "address and port the server listens on",
    ),
    (
        "AGORA_PUBLIC_URL",
        "http://127.0.0.1:3000",
        "the URL people use; https:// turns on HSTS",
    ),
    (
        "AGORA_DB_MAX_CONNECTIONS",
        "4-16 (SQLite) / 8-64 (PostgreSQL), by core count",
        "database pool size",
    ),
    (
        "AGORA_BODY_LIMIT_BYTES",
        "2097152",
        "largest accepted request body",
    ),
    (
        "AGORA_REQUEST_TIMEOUT_SECS",
        "30",
        "a request still running after this gets 408",
    ),
    (
        "AGORA_LOG_FORMAT",
        "pretty",
        "`pretty` for people, `json` for log collectors",
    ),
    (
        "RUST_LOG",
        "info,sqlx=warn",
        "log filter (tracing-subscriber syntax)",
    ),
    (
        "LEPTOS_SITE_ROOT",
        "target/site",
        "folder with the built JS, wasm, CSS and public assets",
    ),
];

/// A database URL that does not print its password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn backend(&self) -> Backend {
        Backend::of_url(&self.0).unwrap_or(Backend::Sqlite)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep the scheme and host, hide credentials.
        let redacted = match self.0.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        };
        f.write_str(&redacted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub listen_addr: SocketAddr,
    pub public_url: String,
    pub db_max_connections: u32,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub site_root: String,
}

/// A variable that is set to something unusable.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {message} (got {value:?})")]
pub struct ConfigError {
    pub name: &'static str,
    pub value: String,
    pub message: String,
}

impl Config {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, ConfigError> {
        let _ = dotenvy::dotenv();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any source of variables (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let fail = |name: &'static str, value: &str, message: &str| ConfigError {
            name,
            value: value.to_owned(),
            message: message.to_owned(),
        };

        let database_url = get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/agora.db".into());
        let backend = Backend::of_url(&database_url).ok_or_else(|| {
            fail(
                "DATABASE_URL",
                &redact_for_error(&database_url),
                "must start with sqlite:// or postgres://",
            )
        })?;

        let listen_addr = get("AGORA_LISTEN_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen_addr = listen_addr.parse().map_err(|_| {
            fail(
                "AGORA_LISTEN_ADDR",
                &listen_addr,
                "must be IP:PORT, e.g. 127.0.0.1:3000",
            )
        })?;

        let public_url = get("AGORA_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen_addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(fail(
                "AGORA_PUBLIC_URL",
                &public_url,
                "must start with http:// or https://",
            ));
        }
        let public_url = public_url.trim_end_matches('/').to_owned();

        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let db_max_connections = match get("AGORA_DB_MAX_CONNECTIONS") {
            None => backend.default_pool_size(cores),
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    fail(
                        "AGORA_DB_MAX_CONNECTIONS",
                        &v,
                        "must be a whole number from 1 to 1000",
                    )
                })?,
        };

        let body_limit_bytes = match get("AGORA_BODY_LIMIT_BYTES") {
            None => 2 * 1024 * 1024,
            Some(v) => v.parse().ok().filter(|n| *n >= 1024).ok_or_else(|| {
                fail(
                    "AGORA_BODY_LIMIT_BYTES",
                    &v,
                    "must be a whole number of bytes, at least 1024",
                )
            })?,
        };

        let request_timeout = match get("AGORA_REQUEST_TIMEOUT_SECS") {
            None => Duration::from_secs(30),
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=3600).contains(n))
                .map(Duration::from_secs)
                .ok_or_else(|| {
                    fail(
                        "AGORA_REQUEST_TIMEOUT_SECS",
                        &v,
                        "must be a whole number of seconds from 1 to 3600",
                    )
                })?,
        };

        let log_format = match get("AGORA_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(fail(
                    "AGORA_LOG_FORMAT",
                    other,
                    "must be `pretty` or `json`",
                ));
            }
        };

        Ok(Self {
            database_url: DatabaseUrl(database_url),
            listen_addr,
            public_url,
            db_max_connections,
            body_limit_bytes,
            request_timeout,
            log_format,
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info,sqlx=warn".into()),
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
        })
    }

    /// Served over TLS (as people reach it): cookies get `Secure`, responses get HSTS.
    pub fn behind_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn redact_for_error(url: &str) -> String {
    format!("{:?}", DatabaseUrl(url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_sqlite_on_localhost_3000() {
        let config = config(&[]).unwrap();
        assert_eq!(config.database_url.expose(), "sqlite://data/agora.db");
        assert_eq!(config.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url, "http://127.0.0.1:3000");
        assert_eq!(config.log_format, LogFormat::Pretty);
        assert!(!config.behind_tls());
    }

    #[test]
    fn every_bad_value_names_its_variable() {
        for (name, value) in [
            ("DATABASE_URL", "mysql://root@localhost/agora"),
            ("DATABASE_URL", "data/agora.db"),
            ("AGORA_LISTEN_ADDR", "localhost"),
            ("AGORA_PUBLIC_URL", "example.com"),
            ("AGORA_DB_MAX_CONNECTIONS", "0"),
            ("AGORA_DB_MAX_CONNECTIONS", "many"),
            ("AGORA_BODY_LIMIT_BYTES", "-1"),
            ("AGORA_REQUEST_TIMEOUT_SECS", "0"),
            ("AGORA_LOG_FORMAT", "xml"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.name, name, "{value}");
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }

    #[test]
    fn database_passwords_never_print() {
        let config =
            config(&[("DATABASE_URL", "postgres://agora:s3cret@db.internal/agora")]).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.internal/agora"));
        let error = config_error_for("mysql://root:hunter2@db/x");
        assert!(!error.contains("hunter2"), "{error}");
    }

    fn config_error_for(url: &str) -> String {
        config(&[("DATABASE_URL", url)]).unwrap_err().to_string()
    }

    #[test]
    fn https_public_url_means_tls() {
        let config = config(&[("AGORA_PUBLIC_URL", "https://agora.example/")]).unwrap();
        assert!(config.behind_tls());
        assert_eq!(config.public_url, "https://agora.example");
    }
}
