//! Configuration: one typed struct, read once from the environment (and `.env`).
//!
//! Every variable has a safe default; a value that is present but wrong stops start-up with a
//! message naming the variable. The database URL may hold a password, so it never appears in
//! `Debug` output or logs.

use app::db::Backend;
use app::payments::gateways::{Key, RazorpayKeys, StripeKeys};
use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::time::Duration;

/// The main runtime's worker threads (writes and background jobs; reads have a runtime of
/// their own, see [`crate::runtimes`]): as configured, else one per core and never fewer
/// than two. With a single worker every task that becomes ready waits behind all the work
/// queued before it; with two, the kernel time-slices the workers and the other one picks
/// it up (measured in the README's Benchmarks).
pub fn runtime_workers(configured: Option<u64>, cores: usize) -> usize {
    configured.map_or(cores.max(2), |n| usize::try_from(n).unwrap_or(1024))
}

/// A database URL that does not print its password.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The full URL, credentials included: for opening the pool, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    /// Scheme, host and path only: user info and query parameters (where a password may
    /// also be given) are replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

fn redact_url(url: &str) -> String {
    let (without_query, has_query) = match url.split_once('?') {
        Some((base, _)) => (base, true),
        None => (url, false),
    };
    let mut shown = match without_query.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://***@{host}"),
            None => without_query.to_owned(),
        },
        None => without_query.to_owned(),
    };
    if has_query {
        shown.push_str("?***");
    }
    shown
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
    /// The main runtime's worker threads (see [`runtime_workers`]).
    pub worker_threads: usize,
    /// The reads runtime's threads (see [`crate::runtimes`]): one per core unless told.
    pub read_threads: usize,
    /// How many nice steps below the reads the writes and background work run (0: level;
    /// by default the database's [`app::db::Backend::default_writes_nice`]).
    pub writes_nice: u8,
    pub body_limit_bytes: usize,
    pub request_timeout: Duration,
    /// How long a shutdown waits for in-flight requests before it stops anyway.
    pub shutdown_grace: Duration,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub site_root: String,
    /// Uploaded files (avatars, later product files), served under `/media`.
    pub media_dir: std::path::PathBuf,
    /// Where files sold to buyers are kept: never served as they are.
    pub files_dir: std::path::PathBuf,
    /// When set, `/metrics` needs `Authorization: Bearer <token>`; when not, it answers only
    /// requests from this machine.
    pub metrics_token: Option<Secret>,
    /// An SMTP relay for outgoing email (lettre URL form); without one, emails go to the
    /// development outbox at `/admin/outbox`.
    pub smtp_url: Option<Secret>,
    /// The sender of outgoing email.
    pub mail_from: String,
    /// Proxies (addresses or networks) whose `X-Forwarded-For` says who the client is.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Stripe, when its three keys are set.
    pub stripe: Option<StripeKeys>,
    /// Razorpay, when its three keys are set.
    pub razorpay: Option<RazorpayKeys>,
}

/// A secret value (a token, a URL with a password); never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A provider's keys: all of `names` set, or none (the provider is then not offered); some
/// but not all is a mistake worth stopping for.
fn keys<const N: usize>(
    get: &impl Fn(&str) -> Option<String>,
    names: [&'static str; N],
) -> Result<Option<[String; N]>, ConfigError> {
    let values = names.map(get);
    if values.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(index) = values.iter().position(Option::is_none) {
        return Err(ConfigError {
            name: names[index],
            value: String::new(),
            message: format!("must be set together with {}", names.join(", ")),
        });
    }
    Ok(Some(values.map(Option::unwrap_or_default)))
}

/// A provider's API address: `default`, or an `http(s)://` URL (a local stand-in).
fn api_base(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: &str,
) -> Result<String, ConfigError> {
    let base = get(name).unwrap_or_else(|| default.to_owned());
    if base.starts_with("https://") || base.starts_with("http://") {
        Ok(base.trim_end_matches('/').to_owned())
    } else {
        Err(ConfigError {
            name,
            value: base,
            message: "must be an http:// or https:// URL".to_owned(),
        })
    }
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
    /// Reads the process environment, after loading `./.env` if there is one (variables
    /// already set win). A `.env` that cannot be read stops start-up too.
    pub fn from_env() -> Result<Self, ConfigError> {
        match dotenvy::from_path(".env") {
            Err(error) if !error.not_found() => {
                return Err(ConfigError {
                    name: ".env",
                    value: ".env".into(),
                    message: error.to_string(),
                });
            }
            _ => {}
        }
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
                &redact_url(&database_url),
                "must start with sqlite:// or postgres://",
            )
        })?;
        if database_url.contains(":memory:") || database_url.contains("mode=memory") {
            // Every pooled connection would get its own empty database.
            return Err(fail(
                "DATABASE_URL",
                &database_url,
                "in-memory SQLite is not shared between connections; use a file",
            ));
        }

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

        // A whole number within `range`, or `None` when the variable is unset.
        let number = |name: &'static str, range: RangeInclusive<u64>| match get(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| range.contains(n))
                .map(Some)
                .ok_or_else(|| {
                    let bounds = if *range.end() == u64::MAX {
                        format!("at least {}", range.start())
                    } else {
                        format!("from {} to {}", range.start(), range.end())
                    };
                    fail(name, &v, &format!("must be a whole number {bounds}"))
                }),
        };

        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let db_max_connections = number("AGORA_DB_MAX_CONNECTIONS", 1..=1000)?
            .map_or_else(|| backend.default_pool_size(cores), |n| n as u32);
        let worker_threads = runtime_workers(number("AGORA_WORKER_THREADS", 1..=1024)?, cores);
        let read_threads = number("AGORA_READ_THREADS", 1..=1024)?
            .map_or(cores, |n| usize::try_from(n).unwrap_or(1024));
        let writes_nice = number("AGORA_WRITES_NICE", 0..=19)?.map_or_else(
            || backend.default_writes_nice(),
            |n| u8::try_from(n).unwrap_or(19),
        );
        let body_limit_bytes = number("AGORA_BODY_LIMIT_BYTES", 1024..=u64::MAX)?
            .map_or(2 * 1024 * 1024, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            });
        let request_timeout =
            Duration::from_secs(number("AGORA_REQUEST_TIMEOUT_SECS", 1..=3600)?.unwrap_or(30));
        let shutdown_grace =
            Duration::from_secs(number("AGORA_SHUTDOWN_GRACE_SECS", 1..=3600)?.unwrap_or(30));

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

        let log_filter = get("RUST_LOG").unwrap_or_else(|| "info,sqlx=warn".into());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(fail(
                "RUST_LOG",
                &log_filter,
                "is not a valid log filter, e.g. info,sqlx=warn",
            ));
        }

        let metrics_token = get("AGORA_METRICS_TOKEN").map(Secret);
        let smtp_url = get("AGORA_SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(fail(
                "AGORA_SMTP_URL",
                &redact_url(url),
                "must start with smtp:// or smtps://",
            ));
        }
        let mail_from =
            get("AGORA_MAIL_FROM").unwrap_or_else(|| "Agora <no-reply@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(fail(
                "AGORA_MAIL_FROM",
                &mail_from,
                "must be an address such as Agora <no-reply@example.com>",
            ));
        }

        let mut trusted_proxies = Vec::new();
        for entry in get("AGORA_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
        {
            let network = entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    fail(
                        "AGORA_TRUSTED_PROXIES",
                        entry,
                        "must be addresses or networks, e.g. 127.0.0.1, 10.0.0.0/8",
                    )
                })?;
            trusted_proxies.push(network);
        }

        let stripe = match keys(
            &get,
            [
                "AGORA_STRIPE_SECRET_KEY",
                "AGORA_STRIPE_PUBLISHABLE_KEY",
                "AGORA_STRIPE_WEBHOOK_SECRET",
            ],
        )? {
            Some([secret, publishable, webhook]) => Some(StripeKeys {
                secret_key: Key::new(secret),
                publishable_key: publishable,
                webhook_secret: Key::new(webhook),
                api_base: api_base(&get, "AGORA_STRIPE_API_BASE", "https://api.stripe.com")?,
            }),
            None => None,
        };
        let razorpay = match keys(
            &get,
            [
                "AGORA_RAZORPAY_KEY_ID",
                "AGORA_RAZORPAY_KEY_SECRET",
                "AGORA_RAZORPAY_WEBHOOK_SECRET",
            ],
        )? {
            Some([key_id, secret, webhook]) => Some(RazorpayKeys {
                key_id,
                key_secret: Key::new(secret),
                webhook_secret: Key::new(webhook),
                api_base: api_base(&get, "AGORA_RAZORPAY_API_BASE", "https://api.razorpay.com")?,
            }),
            None => None,
        };

        Ok(Self {
            database_url: DatabaseUrl(database_url),
            listen_addr,
            public_url,
            db_max_connections,
            worker_threads,
            read_threads,
            writes_nice,
            body_limit_bytes,
            request_timeout,
            shutdown_grace,
            log_format,
            log_filter,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            media_dir: get("AGORA_MEDIA_DIR")
                .unwrap_or_else(|| "data/media".into())
                .into(),
            files_dir: get("AGORA_FILES_DIR")
                .unwrap_or_else(|| "data/files".into())
                .into(),
            metrics_token,
            smtp_url: smtp_url.map(Secret),
            mail_from,
            trusted_proxies,
            stripe,
            razorpay,
        })
    }

    /// Served over TLS (as people reach it): cookies get `Secure`, responses get HSTS.
    pub fn behind_tls(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_needs_all_its_keys_or_none() {
        let none = config(&[]).unwrap();
        assert!(none.stripe.is_none() && none.razorpay.is_none());
        let half = config(&[("AGORA_STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err();
        assert_eq!(half.name, "AGORA_STRIPE_PUBLISHABLE_KEY");
        let stripe = config(&[
            ("AGORA_STRIPE_SECRET_KEY", "sk_test_1"),
            ("AGORA_STRIPE_PUBLISHABLE_KEY", "pk_test_1"),
            ("AGORA_STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ])
        .unwrap()
        .stripe
        .unwrap();
        assert_eq!(stripe.api_base, "https://api.stripe.com");
        assert_eq!(format!("{:?}", stripe.secret_key), "***");
        let bad = config(&[
            ("AGORA_RAZORPAY_KEY_ID", "rzp_test_1"),
            ("AGORA_RAZORPAY_KEY_SECRET", "s"),
            ("AGORA_RAZORPAY_WEBHOOK_SECRET", "w"),
            ("AGORA_RAZORPAY_API_BASE", "ftp://x"),
        ])
        .unwrap_err();
        assert_eq!(bad.name, "AGORA_RAZORPAY_API_BASE");
    }
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_runtime_has_two_workers_at_least_unless_told_otherwise() {
        assert_eq!(runtime_workers(None, 1), 2);
        assert_eq!(runtime_workers(None, 2), 2);
        assert_eq!(runtime_workers(None, 8), 8);
        assert_eq!(runtime_workers(Some(1), 8), 1);
        assert_eq!(
            config(&[]).unwrap().worker_threads,
            runtime_workers(
                None,
                std::thread::available_parallelism().map_or(1, |n| n.get())
            )
        );
        assert_eq!(
            config(&[("AGORA_WORKER_THREADS", "3")])
                .unwrap()
                .worker_threads,
            3
        );
        let bad = config(&[("AGORA_WORKER_THREADS", "0")]).unwrap_err();
        assert_eq!(bad.name, "AGORA_WORKER_THREADS");
    }

    #[test]
    fn reads_have_a_thread_per_core_unless_told_otherwise() {
        assert_eq!(
            config(&[]).unwrap().read_threads,
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        assert_eq!(
            config(&[("AGORA_READ_THREADS", "3")]).unwrap().read_threads,
            3
        );
        for wrong in ["0", "1025", "two"] {
            let bad = config(&[("AGORA_READ_THREADS", wrong)]).unwrap_err();
            assert_eq!(bad.name, "AGORA_READ_THREADS");
        }
    }

    #[test]
    fn the_writes_run_below_the_reads_by_a_step_that_suits_the_database_unless_told() {
        assert_eq!(config(&[]).unwrap().writes_nice, 3);
        let postgres = [(
            "DATABASE_URL",
            "postgres://agora:secret@127.0.0.1:5432/agora",
        )];
        assert_eq!(config(&postgres).unwrap().writes_nice, 10);
        let told = [postgres[0], ("AGORA_WRITES_NICE", "4")];
        assert_eq!(config(&told).unwrap().writes_nice, 4);
        assert_eq!(
            config(&[("AGORA_WRITES_NICE", "0")]).unwrap().writes_nice,
            0
        );
        for wrong in ["20", "-1", "x"] {
            let bad = config(&[("AGORA_WRITES_NICE", wrong)]).unwrap_err();
            assert_eq!(bad.name, "AGORA_WRITES_NICE");
        }
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
            ("AGORA_SHUTDOWN_GRACE_SECS", "forever"),
            ("AGORA_LOG_FORMAT", "xml"),
            ("RUST_LOG", "info,[=="),
            ("DATABASE_URL", "sqlite::memory:"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.name, name, "{value}");
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }

    #[test]
    fn database_passwords_never_print() {
        let in_user_info =
            config(&[("DATABASE_URL", "postgres://agora:s3cret@db.internal/agora")]).unwrap();
        let shown = format!("{in_user_info:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.internal/agora"));
        let error = config_error_for("mysql://root:hunter2@db/x");
        assert!(!error.contains("hunter2"), "{error}");
        let in_query = config(&[(
            "DATABASE_URL",
            "postgres://db.internal/agora?user=a&password=s3cret",
        )])
        .unwrap();
        let shown = format!("{in_query:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(!format!("{:?}", config_with_token()).contains("tok3n"));
    }

    fn config_with_token() -> Config {
        config(&[("AGORA_METRICS_TOKEN", "tok3n")]).unwrap()
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
