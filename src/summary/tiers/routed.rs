//! What a front end's FREB traces add to the pairing: the `X-ARR-LOG-ID` its W3C log may
//! lack, and the backend ARR routed the request to (`ARR_SERVER_ROUTED`), which is then the
//! only server the request is looked for on. Also the `--front`/`--backend` names that
//! override the evidence.

use std::collections::{BTreeMap, BTreeSet};

use super::{Front, SKEW_MS};
use crate::filter::url_stem;
use crate::input::freb::Trace;
use crate::time::Millis;

/// One front-end trace, reduced to what pairs it with its W3C line and names its backend.
#[derive(Debug, Clone)]
pub struct Traced {
    pub server: String,
    method: Box<[u8]>,
    /// The URL's path, lower case.
    stem: Box<[u8]>,
    status: u16,
    start: Millis,
    log_id: Option<Box<[u8]>>,
    routed: Option<String>,
}

impl Traced {
    /// The trace of a request ARR handled (it carries a log id or a routing event), on the
    /// server named in it, else on its folder's.
    pub fn of(trace: &Trace, folder: Option<&str>) -> Option<Traced> {
        let routed = trace.arr.as_ref().map(|a| a.server.as_str());
        let routed = routed
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_lowercase);
        if routed.is_none() && trace.arr_log_id.is_none() {
            return None;
        }
        let server = Some(trace.computer.as_str())
            .filter(|c| !c.is_empty())
            .or(folder)?
            .to_ascii_lowercase();
        Some(Traced {
            server,
            method: Box::from(trace.verb.as_bytes()),
            stem: url_stem(&trace.url)
                .to_ascii_lowercase()
                .into_bytes()
                .into(),
            status: trace.status,
            start: trace.start?,
            log_id: trace
                .arr_log_id
                .as_deref()
                .map(|id| Box::from(id.as_bytes())),
            routed,
        })
    }

    /// Whether this trace is of the request a front end logged as `f`: the same server,
    /// method, URL and status, starting within the clock skew of it.
    fn is_of(&self, f: &Front) -> bool {
        self.server == f.server
            && self.status == f.code.status
            && self.method[..] == f.method[..]
            && self.stem[..] == f.stem.to_ascii_lowercase()[..]
            && (self.start - f.start).abs() <= SKEW_MS
    }
}

/// Gives each front-end failure what the trace of its request says, the trace starting
/// nearest it when several could be its own.
pub fn join(fronts: &mut [Front], traces: &[Traced]) {
    let mut taken = vec![false; fronts.len()];
    for t in traces {
        let nearest = fronts
            .iter()
            .enumerate()
            .filter(|(i, f)| !taken[*i] && t.is_of(f))
            .min_by_key(|(_, f)| (t.start - f.start).abs())
            .map(|(i, _)| i);
        let Some(i) = nearest else { continue };
        taken[i] = true;
        let f = &mut fronts[i];
        if f.log_id.is_none() {
            f.log_id = t.log_id.clone();
        }
        f.routed = t.routed.clone();
    }
}

/// The server a name ARR routed to stands for (`app01.internal:80`, `10.0.2.21`): a server
/// of that name or of its host name's first label, or one that logged that address as its
/// `s-ip`. `None` when no server given matches.
pub fn resolve(routed: &str, addresses: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    let host = without_port(routed);
    let label = host.split('.').next().unwrap_or(host);
    let by_name = addresses
        .keys()
        .find(|s| s.as_str() == host || s.as_str() == label);
    by_name
        .or_else(|| {
            addresses
                .iter()
                .find(|(_, ips)| ips.contains(host))
                .map(|(s, _)| s)
        })
        .cloned()
}

/// `app01:80` is `app01`, `[fd00::1]:80` is `fd00::1`; a bare IPv6 address is kept whole.
fn without_port(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match name.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => name,
    }
}

/// The servers named with `--front` and `--backend` (lower case): they replace what the
/// evidence says of which tier a server is on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub fronts: BTreeSet<String>,
    pub backends: BTreeSet<String>,
}

impl Roles {
    pub fn is_empty(&self) -> bool {
        self.fronts.is_empty() && self.backends.is_empty()
    }

    /// The front ends: those named, else the servers that wrote proxy codes; never a
    /// server named as a backend.
    pub fn fronts(&self, proxies: &BTreeSet<String>) -> BTreeSet<String> {
        let fronts = if self.fronts.is_empty() {
            proxies
        } else {
            &self.fronts
        };
        fronts.difference(&self.backends).cloned().collect()
    }

    /// The names given that match no server seen, in the order of the flags' names.
    pub fn unknown(&self, servers: &BTreeSet<String>) -> Vec<String> {
        let flagged = [("--front", &self.fronts), ("--backend", &self.backends)];
        flagged
            .into_iter()
            .flat_map(|(flag, names)| {
                names
                    .iter()
                    .filter(|n| !servers.contains(*n))
                    .map(move |n| format!("{flag} {n}"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_url_gives_the_w3c_stem() {
        for (url, stem) in [
            ("http://shop.example.com:80/api/report?x=1", "/api/report"),
            ("https://shop/", "/"),
            ("https://shop", "/"),
            ("/api/a#frag", "/api/a"),
        ] {
            assert_eq!(crate::filter::url_stem(url), stem, "{url}");
        }
    }

    #[test]
    fn a_routed_name_resolves_by_name_label_or_address() {
        let servers: BTreeMap<String, BTreeSet<String>> = [
            ("app01", vec!["10.0.2.21"]),
            ("app02", vec!["10.0.2.22", "fd00::22"]),
        ]
        .into_iter()
        .map(|(s, ips)| (s.to_string(), ips.into_iter().map(String::from).collect()))
        .collect();
        for (routed, server) in [
            ("app01", Some("app01")),
            ("app01.internal:80", Some("app01")),
            ("10.0.2.22:8080", Some("app02")),
            ("[fd00::22]:80", Some("app02")),
            ("fd00::22", Some("app02")),
            ("app03.internal", None),
            ("10.0.2.99", None),
        ] {
            assert_eq!(resolve(routed, &servers).as_deref(), server, "{routed}");
        }
    }
}
