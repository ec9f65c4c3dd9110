//! The tier pass: when a run holds proxy codes (502.x with a WinHTTP error, 504), or front
//! ends are named, the front ends' failures gathered while the logs were read are indexed,
//! and the W3C logs are read once more for the requests other servers logged from those front
//! ends, to pair them. A run without proxy codes reads nothing more, and neither does one
//! whose front ends no other server logged requests from.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Options;
use crate::input::origin::Origin;
use crate::input::sniff::{Kind, sniff_named};
use crate::input::source::{self, Item, Stream};
use crate::input::w3c::{self, Record};
use crate::summary::Collected;
use crate::summary::tiers::{self, Behind, FrontScan, Index, Tiers};

/// The tiers paired, and the `--front`/`--backend` names that matched no server (each with
/// its flag).
#[derive(Debug, Clone, Default)]
pub struct Paired {
    pub tiers: Option<Tiers>,
    pub unknown_roles: Vec<String>,
}

/// Pairs the tiers when the run's groups hold a proxy code or front ends are named; no
/// tiers otherwise, or when no other server logged requests from the front ends. `scan` is
/// what the run's reading of the logs gathered for it.
pub fn pair(files: &[&PathBuf], opts: &Options, scan: FrontScan, collected: &Collected) -> Paired {
    let proxied = collected
        .w3c
        .groups()
        .iter()
        .any(|(t, _)| tiers::is_proxy_code(t));
    if !proxied && opts.tiers.is_empty() {
        return Paired::default();
    }
    let mut index = scan.into_index(&opts.tiers);
    let unknown_roles = std::mem::take(&mut index.unknown_roles);
    if index.is_empty() {
        return Paired {
            tiers: None,
            unknown_roles,
        };
    }
    // Only a server that is no front end can have logged a front end's request.
    let behind = if index.backends_logged {
        files
            .par_iter()
            .map(|path| behind(path, opts, &index))
            .reduce(Behind::default, |mut a, b| {
                a.merge(b);
                a
            })
    } else {
        Behind::default()
    };
    // The farm definitions' addresses, by the backend each names.
    let farm = collected.config.farm_servers.iter().filter_map(|s| {
        let backend = index.resolve(&s.item.address)?;
        Some((backend, s.item.address.clone()))
    });
    let farm = farm.collect();
    let mut tiers = Tiers::pair(index, behind);
    tiers.farm_addresses = farm;
    Paired {
        tiers: (!tiers.is_empty()).then_some(tiers),
        unknown_roles,
    }
}

/// The requests of one file that a backend logged of the front ends' requests.
fn behind(path: &Path, opts: &Options, index: &Index) -> Behind {
    let mut behind = Behind::default();
    each_record(path, opts, |r, server| {
        if index.is_backend(r, server) {
            behind.add(index, r, server);
        }
    });
    behind
}

/// Visits every W3C record of a file (or of each W3C member of an archive) that the run's
/// filter lets through, with the server it was logged on. Files that cannot be read were
/// already reported by the first pass and are passed over.
fn each_record(path: &Path, opts: &Options, mut visit: impl FnMut(&Record<'_>, &str)) {
    source::each_stream(
        path,
        |p| std::fs::File::open(p),
        |origin| opts.filter.may_hold(origin),
        |item| {
            let Item::Open(stream, mut body) = item else {
                return;
            };
            let Stream { origin, head, .. } = stream;
            let name = origin.file_name().and_then(|n| n.to_str());
            if sniff_named(name, &head) != Ok(Kind::W3c) {
                return;
            }
            let from = Origin::of(&origin);
            let folder = from.server_folder.clone();
            let filter = &opts.filter;
            let reader = io::Cursor::new(head).chain(body.rest());
            let _ = w3c::read(reader, |r| {
                if filter.narrows_context() && !filter.w3c(r, &from) {
                    return;
                }
                if let Some(server) = tiers::server_of(r, folder.as_deref()) {
                    visit(r, &server);
                }
            });
        },
    );
}
