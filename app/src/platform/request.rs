//! The request being served: its id (set by the server's outermost middleware in a
//! task-local, so envelopes, audit entries and log lines all carry the same one) and where
//! it came from.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` with `request_id` as the current request's id.
pub fn with_request_id<F: Future>(
    request_id: String,
    future: F,
) -> impl Future<Output = F::Output> {
    REQUEST_ID.scope(request_id, future)
}

/// The id of the request being handled, or `None` outside of one (command line, jobs).
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// The value of the cookie `name` in a request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|cookie| {
            let (key, value) = cookie.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

/// Where a request came from, for throttling, the session list and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    /// The peer's address and the `User-Agent` (cut to 256 characters) of a request.
    pub fn of_request(headers: &http::HeaderMap, peer: Option<std::net::SocketAddr>) -> Self {
        Self {
            ip: peer.map(|addr| addr.ip().to_string()),
            user_agent: headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(256).collect()),
        }
    }

    /// The key throttles count this client under.
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_request_id_is_visible_inside_its_scope_only() {
        assert_eq!(current_request_id(), None);
        let seen = with_request_id("abc".into(), async { current_request_id() }).await;
        assert_eq!(seen.as_deref(), Some("abc"));
    }
}
