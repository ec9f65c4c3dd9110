//! `--export-requests`: every matching failed request as a row, for a database or a log
//! platform. Each file's rows are written into its own buffer while it is read, and the
//! buffers are joined in path order, so the export is the same whatever the thread count.
//!
//! The schema (column order, names, and the NDJSON keys, which are the same names) is a
//! contract: add to it, never rename or drop.

use std::io::{self, Write};

use serde::Serialize;

use crate::guard::csv_cell;
use crate::input::httperr::HttpErrRecord;
use crate::input::origin::Origin;
use crate::input::uri::split_query;
use crate::input::w3c::{Field, Record};
use crate::time;

/// The columns, in order.
pub const COLUMNS: [&str; 16] = [
    "time",
    "server",
    "site",
    "method",
    "url",
    "query",
    "status",
    "substatus",
    "win32",
    "time_taken_ms",
    "client_ip",
    "user_agent",
    "file",
    "line",
    "kind",
    "reason",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Ndjson,
}

/// One exported request. Text fields are as logged (W3C writes spaces in user agents as
/// `+`); a field the log lacks is empty in CSV and `null` in NDJSON.
#[derive(Debug, Serialize)]
struct Row<'a> {
    /// RFC 3339, UTC.
    time: Option<String>,
    server: Option<&'a str>,
    site: Option<&'a str>,
    method: Option<&'a str>,
    url: Option<&'a str>,
    query: Option<&'a str>,
    status: Option<u16>,
    substatus: Option<u32>,
    win32: Option<u64>,
    time_taken_ms: Option<u64>,
    client_ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    file: &'a str,
    line: u64,
    /// `w3c` (W3C or IIS native log) or `httperr`.
    kind: &'static str,
    /// The HTTP.sys reason (`AppOffline`); empty for W3C rows.
    reason: Option<&'a str>,
}

/// The rows of one file, already encoded.
#[derive(Debug, Clone)]
pub struct RequestRows {
    format: ExportFormat,
    file: String,
    buf: Vec<u8>,
    pub rows: u64,
}

fn text(bytes: Option<&[u8]>) -> Option<std::borrow::Cow<'_, str>> {
    bytes
        .filter(|b| !b.is_empty() && *b != b"-")
        .map(String::from_utf8_lossy)
}

impl RequestRows {
    pub fn new(format: ExportFormat, file: String) -> RequestRows {
        RequestRows {
            format,
            file,
            buf: Vec::new(),
            rows: 0,
        }
    }

    /// Adds a W3C or native record.
    pub fn add_w3c(&mut self, rec: &Record<'_>, origin: &Origin) {
        let server = text(rec.get(Field::Computer));
        let site = text(rec.get(Field::SiteName));
        let method = text(rec.get(Field::Method));
        let url = text(rec.get(Field::UriStem));
        let query = text(rec.get(Field::UriQuery));
        let client = text(rec.get(Field::ClientIp));
        let agent = text(rec.get(Field::UserAgent));
        let file = std::mem::take(&mut self.file);
        let row = Row {
            time: rec.time.map(time::format_rfc3339),
            server: server.as_deref().or(origin.server_folder.as_deref()),
            site: site.as_deref().or(origin.site_folder.as_deref()),
            method: method.as_deref(),
            url: url.as_deref(),
            query: query.as_deref(),
            status: rec.triple.map(|t| t.status),
            substatus: rec.triple.and_then(|t| t.substatus),
            win32: rec.triple.and_then(|t| t.win32),
            time_taken_ms: rec.time_taken_ms,
            client_ip: client.as_deref(),
            user_agent: agent.as_deref(),
            file: &file,
            line: rec.line,
            kind: "w3c",
            reason: None,
        };
        self.push(&row);
        self.file = file;
    }

    /// Adds an HTTP.sys error log record.
    pub fn add_httperr(&mut self, rec: &HttpErrRecord<'_>, origin: &Origin) {
        let (stem, query) = split_query(rec.uri);
        let server = text(rec.computer_name);
        let method = text(Some(rec.method));
        let url = text(Some(stem));
        let query = text(query);
        let client = text(Some(rec.client_ip));
        let agent = text(rec.user_agent);
        let reason = text(Some(rec.reason));
        let site = rec.site_id.map(|id| format!("W3SVC{id}"));
        let file = std::mem::take(&mut self.file);
        let row = Row {
            time: rec.time.map(time::format_rfc3339),
            server: server.as_deref().or(origin.server_folder.as_deref()),
            site: site.as_deref(),
            method: method.as_deref(),
            url: url.as_deref(),
            query: query.as_deref(),
            status: rec.status,
            substatus: None,
            win32: None,
            time_taken_ms: rec.time_taken,
            client_ip: client.as_deref(),
            user_agent: agent.as_deref(),
            file: &file,
            line: rec.line,
            kind: "httperr",
            reason: reason.as_deref(),
        };
        self.push(&row);
        self.file = file;
    }

    fn push(&mut self, row: &Row<'_>) {
        self.rows += 1;
        // Writing into a Vec cannot fail, and every value serialises.
        let _ = match self.format {
            ExportFormat::Ndjson => serde_json::to_writer(&mut self.buf, row)
                .map_err(io::Error::from)
                .and_then(|()| self.buf.write_all(b"\n")),
            ExportFormat::Csv => write_csv_row(&mut self.buf, row),
        };
    }

    /// The file the rows came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The encoded rows.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The format the rows are encoded in.
    pub fn format(&self) -> ExportFormat {
        self.format
    }

    /// Replaces the encoded rows (`--redact` encodes them again, pseudonyms in).
    pub fn set_bytes(&mut self, buf: Vec<u8>) {
        self.buf = buf;
    }
}

fn write_csv_row(buf: &mut Vec<u8>, row: &Row<'_>) -> io::Result<()> {
    fn opt(v: Option<&str>) -> std::borrow::Cow<'_, str> {
        v.map(csv_cell).unwrap_or_default()
    }
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(buf);
    let cells: [std::borrow::Cow<'_, str>; 16] = [
        row.time.as_deref().unwrap_or_default().into(),
        opt(row.server),
        opt(row.site),
        opt(row.method),
        opt(row.url),
        opt(row.query),
        num(row.status.map(u64::from)).into(),
        num(row.substatus.map(u64::from)).into(),
        num(row.win32).into(),
        num(row.time_taken_ms).into(),
        opt(row.client_ip),
        opt(row.user_agent),
        csv_cell(row.file),
        row.line.to_string().into(),
        row.kind.into(),
        opt(row.reason),
    ];
    w.write_record(cells.iter().map(|c| c.as_bytes()))?;
    w.flush()
}

/// Writes the header (CSV only) and every file's rows, in the order given.
pub fn write_all<'a>(
    out: &mut dyn Write,
    format: ExportFormat,
    parts: impl IntoIterator<Item = &'a RequestRows>,
) -> io::Result<()> {
    if format == ExportFormat::Csv {
        let mut header = csv::Writer::from_writer(Vec::new());
        header.write_record(COLUMNS)?;
        out.write_all(&header.into_inner().map_err(|e| e.into_error())?)?;
    }
    for part in parts {
        out.write_all(part.bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::w3c;

    const LOG: &[u8] = b"#Fields: date time s-computername cs-method cs-uri-stem cs-uri-query sc-status sc-substatus sc-win32-status time-taken c-ip cs(User-Agent)\n\
2026-11-18 10:42:03 WEB01 GET /api/orders q=1 502 3 12002 30010 10.0.0.1 =cmd|'/c+calc'!A0\n\
2026-11-18 10:42:04 WEB01 GET /a,b - 404 0 2 5 10.0.0.2 -\n";

    fn rows(format: ExportFormat) -> String {
        let mut r = RequestRows::new(format, "web01/u_ex261118.log".into());
        let origin = Origin::default();
        w3c::read(LOG, |rec| r.add_w3c(rec, &origin)).unwrap();
        let mut out = Vec::new();
        write_all(&mut out, format, [&r]).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_has_the_documented_columns_and_neutralises_formulas() {
        let text = rows(ExportFormat::Csv);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, COLUMNS);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][0], "2026-11-18T10:42:03Z");
        assert_eq!(&records[0][11], "'=cmd|'/c+calc'!A0");
        let codes: Vec<&str> = (6..10).map(|i| &records[0][i]).collect();
        assert_eq!(codes, ["502", "3", "12002", "30010"]);
        assert_eq!(&records[1][4], "/a,b");
        assert_eq!(&records[1][5], "", "a `-` field is empty");
        assert_eq!(&records[1][13], "3");
        assert_eq!(&records[1][14], "w3c");
    }

    #[test]
    fn ndjson_rows_carry_every_key_with_raw_values() {
        let text = rows(ExportFormat::Ndjson);
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        let keys: Vec<&str> = lines[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut want = COLUMNS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(lines[0]["user_agent"], "=cmd|'/c+calc'!A0");
        assert_eq!(lines[0]["win32"], 12002);
        assert_eq!(lines[1]["query"], serde_json::Value::Null);
        assert_eq!(lines[1]["line"], 3);
    }
}
