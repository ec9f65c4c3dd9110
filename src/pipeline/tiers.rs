//! The tier passes: when a run holds proxy codes (502.x with a WinHTTP error, 504), the W3C
//! logs are read twice more, once for the front ends' failures one by one and once for the
//! requests other servers logged from those front ends, to pair them. A run without proxy
//! codes reads nothing more, so single-tier runs cost what they did.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Options;
use crate::input::freb::{self, Trace};
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
/// tiers otherwise, or when no other server logged requests from the front ends.
pub fn pair(files: &[&PathBuf], opts: &Options, collected: &Collected) -> Paired {
    let proxied = collected
        .w3c
        .groups()
        .iter()
        .any(|(t, _)| tiers::is_proxy_code(t));
    if !proxied && opts.tiers.is_empty() {
        return Paired::default();
    }
    let scan = files
        .par_iter()
        .map(|path| {
            let mut scan = FrontScan::default();
            each_record(path, opts, |seen| match seen {
                Seen::Record(r, server) => scan.add(r, server),
                Seen::Trace(t, folder) => scan.add_trace(t, folder),
            });
            scan
        })
        .reduce(FrontScan::default, |mut a, b| {
            a.merge(b);
            a
        });
    let mut index = scan.into_index(&opts.tiers);
    let unknown_roles = std::mem::take(&mut index.unknown_roles);
    if index.is_empty() {
        return Paired {
            tiers: None,
            unknown_roles,
        };
    }
    let behind = files
        .par_iter()
        .map(|path| behind(path, opts, &index))
        .reduce(Behind::default, |mut a, b| {
            a.merge(b);
            a
        });
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

/// A W3C record with the server it was logged on, or a FREB trace with its server folder.
enum Seen<'r, 'a> {
    Record(&'r Record<'a>, &'r str),
    Trace(&'r Trace, Option<&'r str>),
}

/// The requests of one file that a backend logged of the front ends' requests.
fn behind(path: &Path, opts: &Options, index: &Index) -> Behind {
    let mut behind = Behind::default();
    each_record(path, opts, |seen| {
        if let Seen::Record(r, server) = seen
            && index.is_backend(r, server)
        {
            behind.add(index, r, server);
        }
    });
    behind
}

/// Visits every W3C record of a file (or of each W3C member of an archive) that the run's
/// filter lets through, with the server it was logged on, and every FREB trace the filter
/// lets through, with its server folder. Files that cannot be read were already reported
/// by the first pass and are passed over.
fn each_record(path: &Path, opts: &Options, mut visit: impl FnMut(Seen<'_, '_>)) {
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
            let kind = sniff_named(name, &head);
            let from = Origin::of(&origin);
            let folder = from.server_folder.clone();
            let filter = &opts.filter;
            let reader = io::Cursor::new(head).chain(body.rest());
            if kind == Ok(Kind::Freb) {
                if let Ok(trace) = freb::read_trace(io::BufReader::new(reader), false)
                    && filter.trace(&trace, &from)
                {
                    visit(Seen::Trace(&trace, folder.as_deref()));
                }
                return;
            }
            if kind != Ok(Kind::W3c) {
                return;
            }
            let _ = w3c::read(reader, |r| {
                if filter.narrows_context() && !filter.w3c(r, &from) {
                    return;
                }
                if let Some(server) = tiers::server_of(r, folder.as_deref()) {
                    visit(Seen::Record(r, &server));
                }
            });
        },
    );
}
