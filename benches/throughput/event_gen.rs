//! Windows event logs for the bench, deterministic from a seed: an App Service
//! `eventlog.xml` (one `<Events>` line, no namespace, events as the sandbox writes them), and
//! an `.evtx` made of the corpus Application log's chunks repeated behind its file header.
//!
//! The XML mix follows the App Service logs of the corpus: ANCM's start and stop
//! information (1032, 1033), the application's own log lines through `.NET Runtime` 1000
//! (multi-line, with `<` and `&` escaped, up to a few KiB), ANCM failures (1007 with its
//! captured stdout, 1012, 1018), `.NET Runtime` 1026 crashes with a stack, W3SVC-WP 2284,
//! HttpPlatformHandler 2000 and ZipFS 0.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{Rng, Weighted, push_datetime, push_padded, push_u64};

/// What a generated event file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCounts {
    pub bytes: u64,
    pub events: u64,
    /// Events per `provider/id`.
    pub by_id: BTreeMap<String, u64>,
}

#[derive(Clone, Copy)]
enum Kind {
    AncmStart,
    AncmStop,
    AppLog,
    AncmFailed,
    AncmOffline,
    AncmStdout,
    Crash,
    WpConfig,
    HttpPlatform,
    ZipFs,
}

impl Kind {
    fn provider_id_level(self) -> (&'static str, u32, u8) {
        match self {
            Kind::AncmStart => ("IIS AspNetCore Module V2", 1032, 4),
            Kind::AncmStop => ("IIS AspNetCore Module V2", 1033, 4),
            Kind::AppLog => (".NET Runtime", 1000, 2),
            Kind::AncmFailed => ("IIS AspNetCore Module V2", 1007, 1),
            Kind::AncmOffline => ("IIS AspNetCore Module V2", 1012, 4),
            Kind::AncmStdout => ("IIS AspNetCore Module V2", 1018, 2),
            Kind::Crash => (".NET Runtime", 1026, 2),
            Kind::WpConfig => ("W3SVC-WP", 2284, 3),
            Kind::HttpPlatform => ("HttpPlatformHandler", 2000, 4),
            Kind::ZipFs => ("ZipFS", 0, 4),
        }
    }
}

const SITES: &[&str] = &["SHOP-PROD", "SHOP-PROD__STAGING", "API-ORDERS", "ADMIN"];
const LOG_LINES: &[&str] = &[
    "fail: Microsoft.EntityFrameworkCore.Database.Command[20102]\n      Failed executing DbCommand (31ms) [Parameters=[@__id_0='?' (DbType = Int32)], CommandType='Text', CommandTimeout='30']\n      SELECT TOP(1) [o].[Id], [o].[Status] FROM [Orders] AS [o] WHERE [o].[Id] = @__id_0",
    "fail: Microsoft.AspNetCore.Server.IIS.Core.IISHttpServer[2]\n      Connection ID \"18374686481282236444\", Request ID \"4000001d-0000-fe00-b63f-84710c7967bb\": An unhandled exception was thrown by the application.",
    "warn: Microsoft.AspNetCore.DataProtection.Repositories.EphemeralXmlRepository[50]\n      Using an in-memory repository. Keys will not be persisted to storage.",
    "fail: Shop.Api.OrdersController[0]\n      Payment provider answered 503 for order 1182 & customer 77: <html><body>Service Unavailable</body></html>",
];
const STACK: &str = "   at Shop.Api.Services.PaymentClient.SendAsync(HttpRequestMessage request, CancellationToken token)\n   at Shop.Api.Controllers.OrdersController.<Create>d__7.MoveNext()\n   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfIActionResultExecutor.Execute(ActionContext context)\n   at Program.<Main>$(String[] args)\n";

/// Writes an App Service `eventlog.xml` of about `bytes` bytes.
pub fn write_xml(path: &Path, seed: u64, bytes: u64) -> io::Result<EventCounts> {
    let mut rng = Rng::new(seed);
    let kinds = Weighted::new([
        (30, Kind::AncmStart),
        (25, Kind::AncmStop),
        (30, Kind::AppLog),
        (2, Kind::AncmFailed),
        (4, Kind::AncmOffline),
        (2, Kind::AncmStdout),
        (1, Kind::Crash),
        (2, Kind::WpConfig),
        (6, Kind::HttpPlatform),
        (10, Kind::ZipFs),
    ]);
    let mut out = BufWriter::with_capacity(1 << 20, fs::File::create(path)?);
    let mut counts = EventCounts::default();
    let mut buf = Vec::with_capacity(16 * 1024);
    buf.extend_from_slice(b"\xEF\xBB\xBF<Events>");
    // 2026-01-20, a few events a second.
    let mut ms: i64 = 1_768_867_200_000;
    let mut record: u64 = 1_004_644_593;
    let mut written = 0u64;
    while written + (buf.len() as u64) < bytes {
        let kind = *kinds.get(kinds.index(&mut rng));
        let (provider, id, level) = kind.provider_id_level();
        ms += rng.exp(400.0) as i64;
        record += 1 + rng.below(5000);
        buf.extend_from_slice(b"<Event><System><Provider Name=\"");
        buf.extend_from_slice(provider.as_bytes());
        buf.extend_from_slice(b"\"/><EventID>");
        push_u64(&mut buf, u64::from(id));
        buf.extend_from_slice(b"</EventID><Level>");
        push_u64(&mut buf, u64::from(level));
        buf.extend_from_slice(
            b"</Level><Task>0</Task><Keywords>Keywords</Keywords><TimeCreated SystemTime=\"",
        );
        push_datetime(&mut buf, ms, b'T');
        buf.push(b'.');
        push_padded(&mut buf, (ms % 1000) as u64, 3);
        buf.extend_from_slice(b"Z\"/><EventRecordID>");
        push_u64(&mut buf, record);
        buf.extend_from_slice(b"</EventRecordID><Channel>Application</Channel><Computer>DW1SDWK");
        push_padded(&mut buf, rng.below(40), 5);
        buf.extend_from_slice(b"</Computer><Security/></System><EventData>");
        data(&mut buf, &mut rng, kind);
        buf.extend_from_slice(b"</EventData></Event>");
        *counts.by_id.entry(format!("{provider}/{id}")).or_insert(0) += 1;
        counts.events += 1;
        if buf.len() > 1 << 20 {
            out.write_all(&buf)?;
            written += buf.len() as u64;
            buf.clear();
        }
    }
    buf.extend_from_slice(b"</Events>\n");
    out.write_all(&buf)?;
    written += buf.len() as u64;
    out.flush()?;
    counts.bytes = written;
    Ok(counts)
}

fn push_data(buf: &mut Vec<u8>, text: &str) {
    buf.extend_from_slice(b"<Data>");
    for &b in text.as_bytes() {
        match b {
            b'<' => buf.extend_from_slice(b"&lt;"),
            b'>' => buf.extend_from_slice(b"&gt;"),
            b'&' => buf.extend_from_slice(b"&amp;"),
            b'"' => buf.extend_from_slice(b"&quot;"),
            _ => buf.push(b),
        }
    }
    buf.extend_from_slice(b"</Data>");
}

fn data(buf: &mut Vec<u8>, rng: &mut Rng, kind: Kind) {
    let site = *rng.pick(SITES);
    let pid = 1000 + rng.below(30_000);
    let app = format!(
        "Application 'MACHINE/WEBROOT/APPHOST/{site}' with physical root 'C:\\home\\site\\wwwroot\\'"
    );
    let version = "File Version: 20.0.26025.3. Description: IIS ASP.NET Core Module V2 Request Handler. Commit: ";
    match kind {
        Kind::AncmStart => {
            push_data(buf, &format!("{app} started successfully."));
            push_data(buf, &format!("Process Id: {pid}."));
            push_data(buf, version);
        }
        Kind::AncmStop => {
            push_data(buf, &format!("{app} has shutdown."));
            push_data(buf, &format!("Process Id: {pid}."));
            push_data(buf, version);
        }
        Kind::AppLog => {
            let mut text = String::from("Category: Shop.Api\nEventId: 0\nSpanId: ");
            text.push_str(&format!(
                "{:016x}\nTraceId: {:032x}\n\n",
                rng.next(),
                rng.next()
            ));
            for _ in 0..=rng.below(3) {
                let line = *rng.pick::<&str>(LOG_LINES);
                text.push_str(line);
                text.push('\n');
            }
            if rng.chance(0.3) {
                for _ in 0..=rng.below(6) {
                    text.push_str(STACK);
                }
            }
            push_data(buf, &text);
        }
        Kind::AncmFailed => {
            push_data(
                buf,
                &format!(
                    "{app} failed to load coreclr. Exception message:\nCLR worker thread exited prematurely"
                ),
            );
            push_data(buf, &format!("Process Id: {pid}."));
            push_data(buf, version);
        }
        Kind::AncmOffline => {
            push_data(
                buf,
                &format!("{app} recycled because app_offline.htm was detected."),
            );
        }
        Kind::AncmStdout => {
            let mut text = format!(
                "{app} started process '{pid}' successfully but failed to listen on the given port. First 30KB characters of captured stdout and stderr logs:\n"
            );
            for _ in 0..=rng.below(8) {
                text.push_str(LOG_LINES[0]);
                text.push('\n');
            }
            push_data(buf, &text);
            push_data(buf, &format!("Process Id: {pid}."));
            push_data(buf, version);
        }
        Kind::Crash => {
            let mut text = String::from(
                "Application: w3wp.exe\nCoreCLR Version: 8.0.1124.51707\n.NET Version: 8.0.11\nDescription: The process was terminated due to an unhandled exception.\nException Info: System.InvalidOperationException: Unable to resolve service for type 'Shop.Api.IPaymentClient'\n",
            );
            for _ in 0..4 {
                text.push_str(STACK);
            }
            push_data(buf, &text);
        }
        Kind::WpConfig => {
            push_data(
                buf,
                &format!(
                    "\\\\?\\C:\\home\\LogFiles\\W3SVC{}\\",
                    424_429_371 + rng.below(4)
                ),
            );
            buf.extend_from_slice(b"<Binary>03000780</Binary>");
        }
        Kind::HttpPlatform => {
            push_data(
                buf,
                &format!(
                    "APPLICATION_MANAGER::~APPLICATION_MANAGER | this=0000{:012X} [TID {}] [PID {pid}]",
                    rng.next() & 0xFFFF_FFFF_FFFF,
                    rng.below(9000)
                ),
            );
        }
        Kind::ZipFs => {
            push_data(
                buf,
                &format!(
                    "Mounted C:\\home\\data\\SitePackages\\{}.zip on C:\\home\\site\\wwwroot",
                    20_260_120_000_000 + rng.below(1_000_000)
                ),
            );
        }
    }
}

/// Writes an `.evtx` of at least `bytes` bytes from the chunks of `sample` (an `.evtx`):
/// its file header, then its chunks over and over. Returns the size and how many times the
/// sample's chunks were written.
pub fn write_evtx(path: &Path, sample: &Path, bytes: u64) -> io::Result<(u64, u64)> {
    const HEADER: usize = 4096;
    const CHUNK: usize = 65536;
    let data = fs::read(sample)?;
    let header = data
        .get(..HEADER)
        .ok_or_else(|| io::Error::other("the sample is shorter than an .evtx header"))?;
    let chunks: Vec<&[u8]> = data[HEADER..]
        .chunks_exact(CHUNK)
        .filter(|c| c.iter().any(|&b| b != 0))
        .collect();
    let mut out = BufWriter::with_capacity(1 << 20, fs::File::create(path)?);
    out.write_all(header)?;
    let mut written = HEADER as u64;
    let mut copies = 0;
    while written < bytes {
        for c in &chunks {
            out.write_all(c)?;
            written += CHUNK as u64;
        }
        copies += 1;
    }
    out.flush()?;
    Ok((written, copies))
}
