//! Where a person's notifications may be sent. A webhook URL and a push
//! endpoint are written by people (or their browser), and the server makes
//! the request: without this check anyone could make the server reach into
//! its own network (SSRF: the cloud's metadata service, the database, an
//! admin port). Checked when the address is saved and again when it is
//! sent to, after resolving the host (a name can be pointed elsewhere).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The URL, if the server may send to it. `allow_private` (the setting
/// `notify_private_targets`) lets loopback and private addresses and plain
/// `http` through: a private network's receivers, tests.
pub async fn check(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err("must be https".into()),
        other => return Err(format!("must be https, not {other}")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold credentials".into());
    }
    let host = url.host_str().ok_or("has no host")?.to_string();
    if allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| format!("its host {host} does not resolve"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(format!("its host {host} does not resolve"));
    }
    if let Some(ip) = addresses.iter().find(|ip| !is_public(**ip)) {
        return Err(format!(
            "its host {host} is a private address ({ip}); only public receivers are allowed"
        ));
    }
    Ok(url)
}

/// Whether `ip` is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        // 0/8, carrier-grade NAT 100.64/10, benchmarking 198.18/15, 240/4.
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn private_and_odd_targets_are_refused() {
        for (url, why) in [
            ("http://example.com/hook", "must be https"),
            ("ftp://example.com/hook", "must be https, not ftp"),
            ("https://127.0.0.1/hook", "private address (127.0.0.1)"),
            ("https://10.1.2.3/hook", "private address"),
            (
                "https://169.254.169.254/computeMetadata/v1/",
                "private address",
            ),
            ("https://[::1]:8443/hook", "private address (::1)"),
            ("https://[fd00::1]/hook", "private address"),
            ("https://[::ffff:192.168.1.1]/hook", "private address"),
            ("https://100.100.1.1/hook", "private address"),
            ("https://localhost/hook", "private address"),
            ("https://user:pw@example.com/hook", "credentials"),
            ("not a url", "not a URL"),
        ] {
            let err = check(url, false).await.expect_err(url);
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[tokio::test]
    async fn public_addresses_pass_and_the_setting_lets_private_ones_through() {
        assert!(check("https://8.8.8.8/hook", false).await.is_ok());
        assert!(check("https://[2606:4700::1111]/x", false).await.is_ok());
        assert!(check("http://127.0.0.1:9000/hook", true).await.is_ok());
        assert!(is_public("93.184.216.34".parse().unwrap()));
        assert!(!is_public("0.0.0.0".parse().unwrap()));
    }
}
