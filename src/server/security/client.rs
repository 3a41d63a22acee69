//! Who is on the other end: the client's address and scheme, believing
//! `X-Forwarded-For` and `X-Forwarded-Proto` only from trusted proxies.
//!
//! Each proxy appends the address it received the request from, so the
//! list is read from the right: the first address that is not a trusted
//! proxy is the client. Anything to its left was written by the client and
//! proves nothing.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

/// An address block, e.g. `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = ip
            .parse()
            .map_err(|_| format!("{text:?} is not an address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), self.prefix, 32)
                    == masked(u128::from(u32::from(ip)), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        bits >> (width - prefix)
    }
}

/// An IPv4 address mapped into IPv6 (`::ffff:a.b.c.d`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn parse(blocks: &[String]) -> Result<Self, String> {
        blocks
            .iter()
            .map(|b| Cidr::parse(b))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }
}

/// The client of this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// `None` only when the server was not given connection addresses
    /// (tests calling the router directly).
    pub ip: Option<IpAddr>,
    /// The request reached the first proxy over HTTPS (from a trusted
    /// `X-Forwarded-Proto`); false for direct connections.
    pub https: bool,
}

impl Client {
    /// The key rate limits count by: the address, or for IPv6 its /64 (one
    /// household or machine holds a whole /64).
    pub fn network(&self) -> Option<IpAddr> {
        self.ip.map(|ip| match canonical(ip) {
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & (u128::MAX << 64)).into()),
            v4 => v4,
        })
    }

    /// Resolves the client from the connection's address and the headers.
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &TrustedProxies) -> Self {
        let direct = Self {
            ip: peer.map(canonical),
            https: false,
        };
        let Some(peer) = peer.filter(|p| trusted.trusts(*p)) else {
            return direct;
        };
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        // From the right: the first hop that is not a trusted proxy. A hop
        // that is not an address ends the walk at the last trusted one.
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            match parse_hop(hop) {
                Some(ip) => {
                    client = ip;
                    if !trusted.trusts(ip) {
                        break;
                    }
                }
                None => break,
            }
        }
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Self {
            ip: Some(client),
            https,
        }
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// Middleware: resolves the client once, for every layer and handler after.
pub async fn identify(
    State(trusted): State<std::sync::Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client = Client::resolve(peer, request.headers(), &trusted);
    tracing::debug!(
        peer = %peer.map_or("-".into(), |p| p.to_string()),
        client = %client.ip.map_or("-".into(), |c| c.to_string()),
        https = client.https,
        "client resolved"
    );
    request.extensions_mut().insert(client);
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Client>().copied().unwrap_or(Client {
            ip: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| canonical(c.0.ip())),
            https: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn trusted(blocks: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(
            &blocks
                .iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = Client::resolve(Some(ip("10.0.0.5")), &h, &TrustedProxies::default());
        assert_eq!(c.ip, Some(ip("10.0.0.5")));
        assert!(!c.https);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let t = trusted(&["10.0.0.0/8", "35.191.0.0/16"]);
        // The client forged the left-most entry; the load balancer and the
        // platform appended theirs.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1, 198.51.100.7"),
            ("x-forwarded-for", "35.191.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = Client::resolve(Some(ip("10.1.2.3")), &h, &t);
        assert_eq!(c.ip, Some(ip("198.51.100.7")));
        assert!(c.https);
        // An untrusted peer's headers are ignored.
        let c = Client::resolve(Some(ip("192.0.2.1")), &h, &t);
        assert_eq!(c.ip, Some(ip("192.0.2.1")));
        assert!(!c.https);
        // Every hop trusted: the left-most one.
        let h = headers(&[("x-forwarded-for", "10.9.9.9")]);
        assert_eq!(
            Client::resolve(Some(ip("10.1.2.3")), &h, &t).ip,
            Some(ip("10.9.9.9"))
        );
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&[("x-forwarded-for", "evil, 10.9.9.9")]);
        assert_eq!(
            Client::resolve(Some(ip("10.1.2.3")), &h, &t).ip,
            Some(ip("10.9.9.9"))
        );
        let h = headers(&[("x-forwarded-for", "[2001:db8::7]:443, 198.51.100.8:1234")]);
        assert_eq!(
            Client::resolve(Some(ip("10.1.2.3")), &h, &t).ip,
            Some(ip("198.51.100.8"))
        );
    }

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_is_ipv4() {
        let a = Client {
            ip: Some(ip("2001:db8:1:2:aaaa::1")),
            https: false,
        };
        let b = Client {
            ip: Some(ip("2001:db8:1:2:bbbb::9")),
            https: false,
        };
        let other = Client {
            ip: Some(ip("2001:db8:1:3::1")),
            https: false,
        };
        assert_eq!(a.network(), b.network());
        assert_ne!(a.network(), other.network());
        assert_eq!(a.network(), Some(ip("2001:db8:1:2::")));
        let mapped = Client::resolve(
            Some(ip("::ffff:192.0.2.1")),
            &HeaderMap::new(),
            &TrustedProxies::default(),
        );
        assert_eq!(mapped.ip, Some(ip("192.0.2.1")));
    }

    #[test]
    fn cidrs_parse_and_match() {
        assert!(Cidr::parse("10.0.0.0/8")
            .unwrap()
            .contains(ip("10.255.1.1")));
        assert!(!Cidr::parse("10.0.0.0/8").unwrap().contains(ip("11.0.0.1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("192.0.2.1").unwrap().contains(ip("192.0.2.1")));
        assert!(Cidr::parse("2001:db8::/32")
            .unwrap()
            .contains(ip("2001:db8:ffff::1")));
        assert!(!Cidr::parse("2001:db8::/32")
            .unwrap()
            .contains(ip("10.0.0.1")));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("ten/8").is_err());
    }
}
