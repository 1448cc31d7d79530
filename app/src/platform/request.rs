//! The request being served: its id (set by the server's outermost middleware in a
//! task-local, so envelopes, audit entries and log lines all carry the same one) and where
//! it came from — through trusted proxies when the operator names them.

use ipnet::IpNet;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;

tokio::task_local! {
    static REQUEST_ID: String;
    static CLIENT_IP: Option<String>;
}

/// Runs `future` with `request_id` as the current request's id.
pub fn with_request_id<F: Future>(
    request_id: String,
    future: F,
) -> impl Future<Output = F::Output> {
    REQUEST_ID.scope(request_id, future)
}

/// Runs `future` with `ip` as the current request's client address (after trusted proxies),
/// for the audit log.
pub fn with_client_ip<F: Future>(ip: Option<String>, future: F) -> impl Future<Output = F::Output> {
    CLIENT_IP.scope(ip, future)
}

/// The client address of the request being handled, if known.
pub fn current_client_ip() -> Option<String> {
    CLIENT_IP.try_with(Clone::clone).ok().flatten()
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

/// The proxies whose `X-Forwarded-For` is believed (`AGORA_TRUSTED_PROXIES`); none by
/// default, so a stranger's header never changes who they appear to be.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[IpNet]>);

/// The most `X-Forwarded-For` entries looked at.
const MAX_FORWARDED_HOPS: usize = 32;

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks.into())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The client's address: the peer, unless the peer is a trusted proxy — then the nearest
    /// address in `X-Forwarded-For` that is not one. The header is read from the right, so an
    /// address a client wrote into it itself is never believed past an untrusted hop; an entry
    /// that is not an address ends the walk at the last trusted hop.
    pub fn client_ip(&self, headers: &http::HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        let mut current = peer?;
        if !self.trusts(current) {
            return Some(current);
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for entry in forwarded.iter().rev().take(MAX_FORWARDED_HOPS) {
            let Ok(hop) = entry.trim().parse::<IpAddr>() else {
                break;
            };
            current = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        Some(current)
    }
}

/// Where a request came from, for throttling, the session list and the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    /// The client's address (see [`TrustedProxies::client_ip`]) and the `User-Agent` (cut to
    /// 256 characters) of a request.
    pub fn of_request(
        headers: &http::HeaderMap,
        peer: Option<IpAddr>,
        proxies: &TrustedProxies,
    ) -> Self {
        Self {
            ip: proxies.client_ip(headers, peer).map(|ip| ip.to_string()),
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

    fn forwarded(value: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn forwarded_addresses_count_only_behind_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = Some(ip("10.0.0.5"));
        let none = TrustedProxies::default();
        let ours = TrustedProxies::new(vec!["10.0.0.0/8".parse().unwrap()]);
        let spoofed = forwarded("1.1.1.1, 203.0.113.7");
        // Nobody trusted: the header is ignored.
        assert_eq!(none.client_ip(&spoofed, proxy), proxy);
        // From our proxy: the nearest untrusted hop, not what the client wrote further left.
        assert_eq!(ours.client_ip(&spoofed, proxy), Some(ip("203.0.113.7")));
        let chain = forwarded("203.0.113.7, 10.0.0.9");
        assert_eq!(ours.client_ip(&chain, proxy), Some(ip("203.0.113.7")));
        // A peer that is not our proxy is the client, whatever it sends.
        let stranger = Some(ip("198.51.100.1"));
        assert_eq!(ours.client_ip(&spoofed, stranger), stranger);
        // No header, or junk in it: the proxy itself.
        assert_eq!(ours.client_ip(&http::HeaderMap::new(), proxy), proxy);
        assert_eq!(ours.client_ip(&forwarded("junk"), proxy), proxy);
        assert_eq!(
            ours.client_ip(&forwarded("203.0.113.7, junk"), proxy),
            proxy
        );
    }
}
