//! Where a webhook may point: http(s) URLs whose host is not private, loopback,
//! link-local or otherwise internal, unless the deployment allows it
//! (`--webhook-allow-private`). Checked when an endpoint is saved and again before every
//! delivery, on every address the host resolves to (DNS can change between the two).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Longest URL accepted.
pub const MAX_URL: usize = 2_048;

/// Parses `raw` as a webhook URL: absolute, http or https, with a host, no user info.
/// The message says what is wrong.
pub fn parse(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    if raw.len() > MAX_URL {
        return Err(format!("is too long (at most {MAX_URL} characters)"));
    }
    let url = Url::parse(raw).map_err(|e| format!("is not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("must be http or https, not {}", url.scheme()));
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    Ok(url)
}

/// Whether `ip` is somewhere a webhook must not reach by default: loopback, private,
/// link-local (cloud metadata lives there), unspecified, shared, documentation,
/// multicast or broadcast, and the IPv6 equivalents (IPv4-mapped addresses by their
/// IPv4 address).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
}

/// Checks a URL's host before it is saved: an IP literal or `localhost` directly, a name
/// by what it resolves to now (a name that does not resolve yet is accepted: every
/// delivery checks again).
pub async fn check_saved(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    match resolve(url).await {
        Ok(addresses) => refuse_internal(&addresses),
        Err(Unresolved::Refused(why)) => Err(why),
        Err(Unresolved::Dns(_)) => Ok(()),
    }
}

/// The addresses a delivery may connect to: every address the host resolves to, all of
/// them allowed (one internal address refuses the whole name, so DNS answers cannot
/// smuggle one in).
pub async fn addresses_for_delivery(
    url: &Url,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, String> {
    let addresses = resolve(url).await.map_err(|e| match e {
        Unresolved::Refused(why) | Unresolved::Dns(why) => why,
    })?;
    if !allow_private {
        refuse_internal(&addresses)?;
    }
    Ok(addresses)
}

enum Unresolved {
    /// The host is internal by its name or literal address.
    Refused(String),
    /// The name did not resolve.
    Dns(String),
}

async fn resolve(url: &Url) -> Result<Vec<SocketAddr>, Unresolved> {
    let port = url.port_or_known_default().unwrap_or(443);
    match url.host() {
        Some(Host::Ipv4(ip)) => Ok(vec![SocketAddr::new(IpAddr::V4(ip), port)]),
        Some(Host::Ipv6(ip)) => Ok(vec![SocketAddr::new(IpAddr::V6(ip), port)]),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                return Err(Unresolved::Refused(
                    "points at this machine (localhost); use a public address".into(),
                ));
            }
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| Unresolved::Dns(format!("{name} does not resolve ({e})")))?
                .collect();
            if found.is_empty() {
                return Err(Unresolved::Dns(format!("{name} resolves to no address")));
            }
            Ok(found)
        }
        None => Err(Unresolved::Refused("must name a host".into())),
    }
}

fn refuse_internal(addresses: &[SocketAddr]) -> Result<(), String> {
    match addresses.iter().find(|a| is_internal(a.ip())) {
        Some(found) => Err(format!(
            "points at a private, loopback or link-local address ({}); such targets need --webhook-allow-private",
            found.ip()
        )),
        None => Ok(()),
    }
}
