//! Identifying values found in free text (trace event data, event messages, configuration
//! attributes, error page fields), and the redaction of a command's rendered output. The
//! commands that read one kind of file (`events`, `freb`, `config`, `explain --page` and
//! `--ancm`) gather the values from the data they show, render their report as usual, and
//! replace the values in what was rendered: the guards ran before, and a pseudonym is plain
//! ASCII, so the output stays safe for its medium.

use std::io::{self, Write};

use serde::Serialize;

use super::{Kind, Redactor, Values};

/// `Name=value` and `name="value"` pairs whose value is identifying: FREB event data
/// (`RemoteAddress=`, `RemoteUserName=`), configuration attributes (`userName="..."`,
/// `<server address="...">`) and the like. The name is compared ASCII case aside.
const NAMED: &[(&str, Kind)] = &[
    ("remoteaddress", Kind::Client),
    ("clientip", Kind::Client),
    ("localaddress", Kind::Server),
    ("address", Kind::Server),
    ("computername", Kind::Server),
    ("servername", Kind::Server),
    ("remoteusername", Kind::User),
    ("username", Kind::User),
    ("tokenusername", Kind::User),
    ("adminusername", Kind::User),
    ("logonuser", Kind::User),
    ("authuser", Kind::User),
];

/// Request headers whose value is identifying, as a trace's GENERAL_REQUEST_HEADERS holds
/// them (`Host: shop.example`), one a line or run together on one line, and the labelled
/// lines of an ASP.NET health event (`User host address: ...`, `User: DOMAIN\name`,
/// `Machine name: WEB01`).
const HEADERS: &[(&str, Kind)] = &[
    ("host", Kind::Host),
    ("cookie", Kind::Cookie),
    ("x-forwarded-for", Kind::Client),
    ("user host address", Kind::Client),
    ("user", Kind::User),
    ("machine name", Kind::Server),
];

impl Values {
    /// Adds the identifying values of any data a command shows, by the names of its fields
    /// and from the free text of each of them.
    pub fn add_data(&mut self, data: &impl Serialize) {
        if let Ok(doc) = serde_json::to_value(data) {
            self.walk(&doc, None, None);
        }
    }

    /// Adds what free text names: identifying `Name=value` pairs, header lines, and the host
    /// names and query strings of absolute URLs.
    pub fn add_text(&mut self, text: &str) {
        self.add_pairs(text);
        self.add_headers(text);
        self.add_urls(text);
    }

    fn add_pairs(&mut self, text: &str) {
        for (at, _) in text.match_indices('=') {
            let name_start = text[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .map_or(0, |i| i + 1);
            let name = text[name_start..at].to_ascii_lowercase();
            let value = pair_value(&text[at + 1..]);
            if name == "bindinginformation" {
                self.add_binding(value);
            } else if let Some(&(_, kind)) = NAMED.iter().find(|(n, _)| *n == name) {
                self.add_address(kind, value);
            }
        }
    }

    fn add_headers(&mut self, text: &str) {
        let lower = text.to_ascii_lowercase();
        for &(name, kind) in HEADERS {
            let label = format!("{name}:");
            for (at, _) in lower.match_indices(&label) {
                let starts_word = lower[..at]
                    .chars()
                    .next_back()
                    .is_none_or(char::is_whitespace);
                if !starts_word {
                    continue;
                }
                let value = header_value(&text[at + label.len()..]);
                match kind {
                    Kind::Client => value.split(',').for_each(|v| self.add_address(kind, v)),
                    Kind::Cookie => self.add(kind, value),
                    // A name is one word: what follows on a run-together line is not it.
                    _ => self.add_address(kind, value.split(' ').next().unwrap_or_default()),
                }
            }
        }
    }

    fn add_urls(&mut self, text: &str) {
        for scheme in ["http://", "https://"] {
            for (at, _) in text.match_indices(scheme) {
                let url = text[at..]
                    .split(|c: char| c.is_whitespace() || "\"'<>()".contains(c))
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches([',', '.', ';']);
                self.add_host_of(url);
                if let Some((_, query)) = url.split_once('?') {
                    self.add(Kind::Query, query.split('#').next().unwrap_or_default());
                }
            }
        }
    }

    /// Adds an address or a name without its port (`198.51.100.5:50123` as a trace's
    /// client, `[2001:db8::1]:443`): the value alone is replaced, the port is kept and the
    /// value is counted once.
    pub(super) fn add_address(&mut self, kind: Kind, value: &str) {
        let value = value.trim();
        if let Some(v6) = value.strip_prefix('[') {
            self.add(kind, v6.split(']').next().unwrap_or_default());
        } else if value.matches(':').count() == 1 {
            self.add(kind, value.split(':').next().unwrap_or_default());
        } else {
            self.add(kind, value);
        }
    }
}

/// The value after `=`: quoted to its closing quote, else to a comma, semicolon or space.
fn pair_value(rest: &str) -> &str {
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default(),
        _ => rest
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .next()
            .unwrap_or_default(),
    }
}

/// A header's value: to the end of its line, or, when a report ran the headers together on
/// one line, to the next ` Name:` that starts another header.
fn header_value(rest: &str) -> &str {
    let line = rest.split(['\r', '\n']).next().unwrap_or_default();
    let mut end = line.len();
    for (at, _) in line.match_indices(' ') {
        let word = line[at + 1..].split(' ').next().unwrap_or_default();
        let is_name = word.len() > 1
            && word.ends_with(':')
            && word[..word.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if at > 0 && is_name {
            end = at;
            break;
        }
    }
    line[..end].trim()
}

/// A command's rendered output with every value replaced and the counts said: a first
/// line in a report for people, a first key `redacted` in a JSON document.
pub fn rendered(redactor: &Redactor, bytes: &[u8], json: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let text = redactor.text(&text);
    let counts = redactor.counts();
    if json {
        if let (Some(body), Ok(said)) = (text.strip_prefix('{'), serde_json::to_string(&counts)) {
            return format!("{{\n  \"redacted\": {said},{body}").into_bytes();
        }
        return text.into_owned().into_bytes();
    }
    format!("{}\n\n{text}", counts.sentence()).into_bytes()
}

/// Writes what `render` writes; with `values` (gathered from the data it renders), into a
/// buffer first, then redacted as [`rendered`] does.
pub fn write_with(
    out: &mut dyn Write,
    values: Option<&Values>,
    json: bool,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let Some(values) = values else {
        return render(out);
    };
    let mut buf = Vec::new();
    render(&mut buf)?;
    out.write_all(&rendered(&Redactor::new(values), &buf, json))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gathered(text: &str) -> Redactor {
        let mut v = Values::default();
        v.add_text(text);
        Redactor::new(&v)
    }

    #[test]
    fn free_text_names_its_identifying_values() {
        for (text, kept, gone) in [
            (
                "RemoteAddress=198.51.100.5:50123, RemoteUserName=CONTOSO\\alice, Port=443",
                "=client-1:50123, RemoteUserName=user-1, Port=443",
                "",
            ),
            (
                "<binding protocol=\"https\" bindingInformation=\"10.1.2.3:443:shop.example\" />",
                "server-1:443:host-1",
                "10.1.2.3",
            ),
            (
                "<server address=\"app01.internal\" enabled=\"true\" />",
                "\"server-1\" enabled=\"true\"",
                "app01",
            ),
            (
                "Headers=Accept: */* Cookie: A=1; B=2 Host: shop.example:8080 X-Forwarded-For: 203.0.113.9, 10.0.0.4",
                "Cookie: cookie-1 Host: host-1:8080 X-Forwarded-For: client-2, client-1",
                "203.0.113.9",
            ),
            (
                "see https://shop.example/a?id=5&t=x for more",
                "see https://host-1/a?query-1 for more",
                "id=5",
            ),
            ("Cookie: ***", "Cookie: ***", ""),
        ] {
            let r = gathered(text);
            let out = r.text(text);
            assert!(out.contains(kept), "{text}: {out}");
            assert!(gone.is_empty() || !out.contains(gone), "{text}: {out}");
        }
    }

    #[test]
    fn a_query_seen_masked_and_whole_is_one_query() {
        let mut v = Values::default();
        v.add_text("https://shop.example/a?id=5&token=ZZ9");
        v.add_text("RequestURL=https://shop.example/a?id=5&token=***, RequestVerb=GET");
        let r = Redactor::new(&v);
        assert_eq!(r.counts().queries, 1);
        assert_eq!(
            r.text("?id=5&token=ZZ9 and ?id=5&token=***,"),
            "?query-1 and ?query-1,"
        );
    }

    #[test]
    fn json_escaped_values_are_replaced_too() {
        let r = gathered("UserName=CONTOSO\\alice");
        let json = serde_json::to_string(&serde_json::json!({"u": "CONTOSO\\alice"})).unwrap();
        assert_eq!(r.text(&json), "{\"u\":\"user-1\"}");
    }

    #[test]
    fn rendered_output_says_what_was_redacted() {
        let r = gathered("RemoteAddress=198.51.100.5");
        let table = String::from_utf8(rendered(&r, b"from 198.51.100.5\n", false)).unwrap();
        assert!(table.starts_with("Redacted: 1 client address,"), "{table}");
        assert!(table.ends_with("from client-1\n"), "{table}");
        let json = rendered(&r, b"{\n  \"client\": \"198.51.100.5\"\n}\n", true);
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["redacted"]["clients"], 1);
        assert_eq!(v["client"], "client-1");
    }

    #[test]
    fn a_coloured_value_is_still_a_whole_word() {
        let r = gathered("ComputerName=WEB07");
        assert_eq!(
            r.text("on \x1b[1mWEB07\x1b[0m."),
            "on \x1b[1mserver-1\x1b[0m."
        );
    }
}
