//! The tier passes: when a run holds proxy codes (502.x with a WinHTTP error, 504), the W3C
//! logs are read twice more, once for the front ends' failures one by one and once for the
//! requests other servers logged from those front ends, to pair them. A run without proxy
//! codes reads nothing more, so single-tier runs cost what they did.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Options;
use crate::input::origin::Origin;
use crate::input::sniff::{Kind, sniff_named};
use crate::input::source::{self, Item, Stream};
use crate::input::w3c::{self, Record};
use crate::summary::Collected;
use crate::summary::tiers::{self, Backend, FrontScan, Hit, Index, Tiers};

/// Pairs the tiers when the run's groups hold a proxy code; `None` otherwise, or when no
/// other server logged requests from the front ends.
pub fn pair(files: &[&PathBuf], opts: &Options, collected: &Collected) -> Option<Tiers> {
    let proxied = collected
        .w3c
        .groups()
        .iter()
        .any(|(t, _)| tiers::is_proxy_code(t));
    if !proxied {
        return None;
    }
    let scan = files
        .par_iter()
        .map(|path| {
            let mut scan = FrontScan::default();
            each_record(path, opts, |r, server| scan.add(r, server));
            scan
        })
        .reduce(FrontScan::default, |mut a, b| {
            a.merge(b);
            a
        });
    let index = scan.into_index();
    if index.is_empty() {
        return None;
    }
    let (hits, backends) = files
        .par_iter()
        .map(|path| behind(path, opts, &index))
        .reduce(Default::default, |(mut hits, mut all), (more, backends)| {
            hits.extend(more);
            for (name, b) in backends {
                all.entry(name).or_insert_with(Backend::default).merge(b);
            }
            (hits, all)
        });
    let tiers = Tiers::pair(index, hits, backends);
    (!tiers.is_empty()).then_some(tiers)
}

/// The requests of one file that came through a front end, counted per backend, and those
/// that may pair with a front-end failure.
fn behind(path: &Path, opts: &Options, index: &Index) -> (Vec<Hit>, BTreeMap<String, Backend>) {
    let mut hits = Vec::new();
    let mut backends: BTreeMap<String, Backend> = BTreeMap::new();
    each_record(path, opts, |r, server| {
        if index.front_servers.contains(server) || !index.came_through(r) {
            return;
        }
        match backends.get_mut(server) {
            Some(b) => b.add(r),
            None => backends.entry(server.to_string()).or_default().add(r),
        }
        hits.extend(index.hit(r, server));
    });
    (hits, backends)
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
            let folder = Origin::of(&origin).server_folder;
            let filter = &opts.filter;
            let from = Origin::of(&origin);
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
