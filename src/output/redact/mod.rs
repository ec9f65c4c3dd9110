//! `--redact`: a report safe to share. Client addresses, user names, host and server names,
//! query strings and cookies are replaced by pseudonyms (`client-1`, `server-2`, ...) in the
//! data, before the explanation is built and before any writer or export sees it, so every
//! sentence, count and file path uses the pseudonyms. This is not a guard (those make text
//! safe for a medium) nor the secret masker (which hides passwords inside free text): it
//! replaces identifying values, wherever they appear, by names that still add up.
//!
//! A pseudonym is stable: the same value (ASCII case aside, as IIS compares host and server
//! names) gets the same one everywhere in a run. The numbers follow the sorted order of the
//! values of each kind, so they do not depend on the order files were read in, and two runs
//! over the same logs give the same pseudonyms.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::requests::{ExportFormat, RequestRows};
use crate::error::{Error, Result};
use crate::input::bundle::{Bundles, NotUsed};
use crate::input::secret;
use crate::summary::Collected;
use crate::summary::saved::{self, Meta};

mod text;

pub use text::{rendered, write_with};

/// The kinds of values replaced, in the order a value seen as two kinds is named by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Server,
    Host,
    Client,
    User,
    Cookie,
    Query,
}

const KINDS: [Kind; 6] = [
    Kind::Server,
    Kind::Host,
    Kind::Client,
    Kind::User,
    Kind::Cookie,
    Kind::Query,
];

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Host => "host",
            Kind::Client => "client",
            Kind::User => "user",
            Kind::Cookie => "cookie",
            Kind::Query => "query",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How many distinct values of each kind were replaced: the report says it (the JSON key
/// `redacted`), never the values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub clients: usize,
    pub users: usize,
    pub hosts: usize,
    pub servers: usize,
    pub queries: usize,
    pub cookies: usize,
}

impl Counts {
    /// The line the table, Markdown and HTML reports show.
    pub fn sentence(&self) -> String {
        let parts = [
            (self.clients, "client address", "client addresses"),
            (self.users, "user name", "user names"),
            (self.hosts, "host name", "host names"),
            (self.servers, "server name", "server names"),
            (self.queries, "query string", "query strings"),
            (self.cookies, "cookie", "cookies"),
        ];
        let said: Vec<String> = parts
            .iter()
            .map(|&(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
            .collect();
        format!("Redacted: {}, replaced by pseudonyms.", said.join(", "))
    }
}

/// The identifying values a run holds, gathered before any is replaced.
#[derive(Debug, Clone, Default)]
pub struct Values {
    sets: [BTreeSet<String>; 6],
    /// Other forms of a value (its secrets masked), replaced by its pseudonym, not counted.
    aliases: BTreeMap<String, String>,
}

impl Values {
    /// Adds a value, as a server, a client, ...; `-` (a field the log left empty), `***` (a
    /// value masked already) and values too short to tell from other text are left out.
    pub fn add(&mut self, kind: Kind, value: &str) {
        let value = value.trim();
        let masked = value.bytes().all(|b| b == b'*');
        if value.len() < 2 || value == "-" || masked || is_pseudonym(value) {
            return;
        }
        // A query string or cookie may show with its secrets masked (`token=***`): that
        // form is replaced too.
        if matches!(kind, Kind::Query | Kind::Cookie) {
            let masked = secret::mask(value);
            if masked != value {
                self.aliases
                    .entry(masked.to_ascii_lowercase())
                    .or_insert_with(|| value.to_ascii_lowercase());
            }
        }
        self.sets[kind.index()].insert(value.to_ascii_lowercase());
    }

    /// Adds the identifying values of a saved summary (as `saved::rewrite` hands it over):
    /// the servers and computers it names, the ARR backends, the query strings of its URLs,
    /// and the breakdown keys that are clients or servers.
    pub fn add_summary(&mut self, doc: &Value) {
        let by = doc
            .pointer("/w3c/by")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.walk(doc, None, by.as_deref());
    }

    fn walk(&mut self, v: &Value, key: Option<&str>, by: Option<&str>) {
        match v {
            Value::Object(map) => {
                for (k, x) in map {
                    self.walk(x, Some(k), by);
                }
            }
            Value::Array(items) => {
                if key == Some("breakdown") {
                    self.add_breakdown(items, by);
                }
                for x in items {
                    self.walk(x, key, by);
                }
            }
            Value::String(s) => self.add_keyed(key, s),
            _ => {}
        }
    }

    fn add_keyed(&mut self, key: Option<&str>, s: &str) {
        match key {
            // A farm server's `address` names a backend, by host name or address.
            Some(
                "servers" | "computer" | "computer_name" | "server" | "backends" | "address"
                | "farm_address",
            ) => {
                self.add(Kind::Server, s);
            }
            Some("client" | "client_ip" | "clients") => self.add_address(Kind::Client, s),
            Some("query") => self.add(Kind::Query, s),
            Some("host" | "hosts") => self.add_address(Kind::Host, s),
            Some(
                "user" | "users" | "username" | "remote_user_name" | "user_name"
                | "token_user_name" | "logon_user",
            ) => self.add(Kind::User, s),
            Some("information" | "bindings") => self.add_binding(s),
            _ => {}
        }
        self.add_query_of(s);
        self.add_text(s);
    }

    /// A binding (`*:443:www.example.com`, or `https *:443:...` as a report shows it): its
    /// address, when not `*`, is the server's, and its host name a host.
    fn add_binding(&mut self, s: &str) {
        let info = s.rsplit(' ').next().unwrap_or(s);
        let mut parts = info.splitn(3, ':');
        if let (Some(ip), Some(_port), Some(host)) = (parts.next(), parts.next(), parts.next()) {
            if ip != "*" {
                self.add(Kind::Server, ip.trim_matches(['[', ']']));
            }
            self.add(Kind::Host, host);
        }
    }

    /// The host name of an absolute URL (`http://shop.example:8080/a` holds `shop.example`).
    fn add_host_of(&mut self, s: &str) {
        let Some((scheme, rest)) = s.split_once("://") else {
            return;
        };
        if !matches!(scheme, "http" | "https") || rest.contains(' ') {
            return;
        }
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        self.add(Kind::Host, host.split(':').next().unwrap_or_default());
    }

    /// The first item of each breakdown entry is its key: a client or a server with
    /// `--by client` or `--by server`.
    fn add_breakdown(&mut self, items: &[Value], by: Option<&str>) {
        let kind = match by {
            Some("client") => Kind::Client,
            Some("server") => Kind::Server,
            _ => return,
        };
        for item in items {
            if let Some(key) = item.get(0).and_then(Value::as_str) {
                self.add(kind, key);
            }
        }
    }

    /// The query string of a URL (`/a.aspx?id=5` holds `id=5`).
    fn add_query_of(&mut self, s: &str) {
        if s.starts_with('/') {
            if let Some((_, query)) = s.split_once('?') {
                self.add(Kind::Query, query);
            }
        }
    }
}

/// Replaces every value gathered by its pseudonym.
#[derive(Debug, Clone)]
pub struct Redactor {
    matcher: Option<AhoCorasick>,
    pseudonyms: Vec<String>,
    counts: Counts,
}

impl Redactor {
    /// Numbers each kind's values in sorted order; a value already named as an earlier kind
    /// (a server that is also a host) keeps that name.
    pub fn new(values: &Values) -> Redactor {
        let mut seen = BTreeSet::new();
        let mut originals = Vec::new();
        let mut pseudonyms = Vec::new();
        let mut numbered = [0usize; 6];
        for kind in KINDS {
            for value in &values.sets[kind.index()] {
                // A value the logs showed masked already is another form of one read whole.
                if values.aliases.contains_key(value) || !seen.insert(value.clone()) {
                    continue;
                }
                numbered[kind.index()] += 1;
                let pseudonym = format!("{}-{}", kind.prefix(), numbered[kind.index()]);
                // A JSON document escapes `\` and `"`: the escaped form is replaced as well.
                if let Some(escaped) = json_escaped(value) {
                    originals.push(escaped);
                    pseudonyms.push(pseudonym.clone());
                }
                originals.push(value.clone());
                pseudonyms.push(pseudonym);
            }
        }
        for (alias, value) in &values.aliases {
            if let Some(i) = originals.iter().position(|o| o == value) {
                if seen.insert(alias.clone()) {
                    originals.push(alias.clone());
                    pseudonyms.push(pseudonyms[i].clone());
                }
            }
        }
        let [servers, hosts, clients, users, cookies, queries] = numbered;
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&originals)
            .ok()
            .filter(|_| !originals.is_empty());
        Redactor {
            matcher,
            pseudonyms,
            counts: Counts {
                clients,
                users,
                hosts,
                servers,
                queries,
                cookies,
            },
        }
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// `text` with every value replaced where it stands as a whole word: `10.0.0.1` is not
    /// replaced inside `10.0.0.12`, `web01` is inside `testdata/web01/u_ex.log`.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some(matcher) = &self.matcher else {
            return Cow::Borrowed(text);
        };
        let mut out = String::new();
        let mut copied = 0;
        let mut from = 0;
        while from < text.len() {
            let Some(m) = matcher.find(Input::new(text).span(from..text.len())) else {
                break;
            };
            if whole_word(text, m.start(), m.end()) {
                out.push_str(&text[copied..m.start()]);
                out.push_str(&self.pseudonyms[m.pattern().as_usize()]);
                copied = m.end();
                from = m.end();
            } else {
                from = next_char(text, m.start());
            }
        }
        if copied == 0 {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Replaces the values in every text of a JSON value, object keys included.
    pub fn json(&self, v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Cow::Owned(r) = self.text(s) {
                    *s = r;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|x| self.json(x)),
            Value::Object(map) => {
                let old = std::mem::take(map);
                for (k, mut x) in old {
                    self.json(&mut x);
                    let key = self.text(&k).into_owned();
                    match map.get_mut(&key) {
                        Some(kept) => add_counts(kept, &x),
                        None => {
                            map.insert(key, x);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Replaces the values in each of `texts`.
    pub fn all(&self, texts: &mut [String]) {
        for t in texts {
            if let Cow::Owned(r) = self.text(t) {
                *t = r;
            }
        }
    }
}

/// A run's data with every identifying value replaced, and the replacer, whose counts the
/// report shows.
pub struct Redacted {
    pub collected: Collected,
    pub meta: Meta,
    pub redactor: Redactor,
}

/// Redacts what a scan read, its description (paths and filters) and its export rows.
/// `known` holds values the command line named (`--server`, `--client-ip`). The values are
/// gathered from everything first, so a pseudonym is the same in the report and the export.
pub fn run(
    collected: &Collected,
    meta: &Meta,
    mut known: Values,
    exports: &mut [RequestRows],
) -> Result<Redacted> {
    for part in exports.iter() {
        known.add_export(part);
    }
    let mut made = None;
    let (mut restored, mut meta) = saved::rewrite(collected, meta, |doc| {
        known.add_summary(doc);
        let redactor = Redactor::new(&known);
        redactor.json(doc);
        made = Some(redactor);
    })
    .map_err(|e| Error::Usage(format!("--redact: {e}")))?;
    let redactor = made.unwrap_or_else(|| Redactor::new(&known));
    redactor.all(&mut meta.paths);
    redactor.all(&mut meta.filters);
    // A summary keeps no bundle shapes: they are found again from the redacted paths.
    restored.not_used = collected
        .not_used
        .iter()
        .map(|n| NotUsed {
            path: redactor.text(&n.path).into_owned(),
            reason: n.reason,
        })
        .collect();
    let paths = restored.files.iter().map(|f| f.path.as_str());
    restored.bundles =
        Bundles::recognise(paths.chain(restored.not_used.iter().map(|n| n.path.as_str())));
    for part in exports.iter_mut() {
        let bytes = redact_export(&redactor, part);
        part.set_bytes(bytes);
    }
    Ok(Redacted {
        collected: restored,
        meta,
        redactor,
    })
}

impl Values {
    /// Adds the servers, clients and query strings of export rows.
    fn add_export(&mut self, part: &RequestRows) {
        match part.format() {
            ExportFormat::Ndjson => {
                for row in ndjson_rows(part.bytes()) {
                    self.walk(&row, None, None);
                }
            }
            ExportFormat::Csv => {
                for row in csv_rows(part.bytes()) {
                    for (i, kind) in [(1, Kind::Server), (5, Kind::Query), (10, Kind::Client)] {
                        if let Some(cell) = row.get(i) {
                            self.add(kind, cell);
                        }
                    }
                }
            }
        }
    }
}

fn ndjson_rows(bytes: &[u8]) -> impl Iterator<Item = Value> + '_ {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice(line).ok())
}

fn csv_rows(bytes: &[u8]) -> impl Iterator<Item = csv::StringRecord> + '_ {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .into_records()
        .filter_map(std::result::Result::ok)
}

/// The rows of one file, encoded again with every value replaced.
fn redact_export(redactor: &Redactor, part: &RequestRows) -> Vec<u8> {
    let mut out = Vec::new();
    match part.format() {
        ExportFormat::Ndjson => {
            for mut row in ndjson_rows(part.bytes()) {
                redactor.json(&mut row);
                // Writing into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut out, &row);
                out.push(b'\n');
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(&mut out);
            for row in csv_rows(part.bytes()) {
                let _ = w.write_record(row.iter().map(|c| redactor.text(c).into_owned()));
            }
            let _ = w.flush();
        }
    }
    out
}

/// A pseudonym already (`merge --redact` of a summary saved with `--redact`): kept as it is,
/// so the save and the merge name a value alike.
fn is_pseudonym(value: &str) -> bool {
    value.split_once('-').is_some_and(|(prefix, n)| {
        KINDS.iter().any(|k| k.prefix() == prefix)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Two keys that became one (`WEB01` and `web01`, both `server-1`): counts add up, and
/// anything else keeps the first.
fn add_counts(kept: &mut Value, other: &Value) {
    if let (Some(a), Some(b)) = (kept.as_u64(), other.as_u64()) {
        *kept = Value::from(a.saturating_add(b));
    }
}

/// A match is a whole value when the characters around it cannot continue a name or an
/// address.
fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let joins = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let before = text[..start].chars().next_back().is_none_or(|c| !joins(c))
        || ends_with_colour(&text[..start]);
    let after = text[end..].chars().next().is_none_or(|c| !joins(c));
    before && after
}

/// The text ends with a colour iisdiag added (`ESC [ 1 m`): the value after it starts a word.
fn ends_with_colour(text: &str) -> bool {
    text.rfind('\x1b').is_some_and(|at| {
        let sgr = &text[at + 1..];
        sgr.len() >= 2
            && sgr.starts_with('[')
            && sgr.ends_with('m')
            && sgr[1..sgr.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b';')
    })
}

/// A value as a JSON string writes it, when that differs from the value.
fn json_escaped(value: &str) -> Option<String> {
    let quoted = serde_json::to_string(value).ok()?;
    let inner = &quoted[1..quoted.len() - 1];
    (inner != value).then(|| inner.to_string())
}

fn next_char(text: &str, at: usize) -> usize {
    text[at..]
        .chars()
        .next()
        .map_or(text.len(), |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(values: &[(Kind, &str)]) -> Redactor {
        let mut v = Values::default();
        for &(kind, value) in values {
            v.add(kind, value);
        }
        Redactor::new(&v)
    }

    #[test]
    fn values_become_pseudonyms_only_as_whole_words() {
        let r = redactor(&[
            (Kind::Client, "10.0.0.1"),
            (Kind::Client, "10.0.0.12"),
            (Kind::Server, "WEB01"),
            (Kind::Query, "id=5&token=abc"),
        ]);
        for (text, want) in [
            ("from 10.0.0.1.", "from client-1."),
            ("from 10.0.0.12", "from client-2"),
            ("10.0.0.123", "10.0.0.123"),
            (
                "testdata/farm/web01/u_ex.log",
                "testdata/farm/server-1/u_ex.log",
            ),
            ("web01x and xweb01", "web01x and xweb01"),
            ("on Web01 and WEB01", "on server-1 and server-1"),
            ("/a.aspx?id=5&token=abc", "/a.aspx?query-1"),
            ("nothing here", "nothing here"),
            ("", ""),
        ] {
            assert_eq!(r.text(text), want, "{text}");
        }
    }

    #[test]
    fn numbers_follow_sorted_values_not_the_order_they_were_seen() {
        let forward = redactor(&[(Kind::Client, "10.0.0.2"), (Kind::Client, "10.0.0.1")]);
        let backward = redactor(&[(Kind::Client, "10.0.0.1"), (Kind::Client, "10.0.0.2")]);
        for r in [forward, backward] {
            assert_eq!(r.text("10.0.0.1 10.0.0.2"), "client-1 client-2");
        }
    }

    #[test]
    fn a_value_of_two_kinds_keeps_the_first_name_and_is_counted_once() {
        let r = redactor(&[
            (Kind::Host, "web01"),
            (Kind::Server, "WEB01"),
            (Kind::User, "-"),
        ]);
        assert_eq!(r.text("web01"), "server-1");
        assert_eq!(r.counts().servers, 1);
        assert_eq!(r.counts().hosts, 0);
        assert_eq!(r.counts().users, 0, "`-` is an empty field, not a user");
    }

    #[test]
    fn summaries_name_their_servers_backends_queries_and_breakdown_clients() {
        let doc = serde_json::json!({
            "w3c": {"by": "client", "groups": [{
                "servers": ["WEB01"],
                "urls": [["/a?x=1", 3]],
                "breakdown": [["10.1.1.1", 3, []]]
            }]},
            "events": {"kept": [{"computer": "web02.contoso.com"}]},
            "traces": {"groups": [{"backends": ["app02.internal"], "url": "http://shop.example:80/a"}]},
            "config": {"sites": [{"bindings": [{"information": "10.2.2.2:443:www.example.com"}]}]}
        });
        let mut v = Values::default();
        v.add_summary(&doc);
        let r = Redactor::new(&v);
        let mut redacted = doc.clone();
        r.json(&mut redacted);
        let text = redacted.to_string();
        for original in [
            "WEB01",
            "x=1",
            "10.1.1.1",
            "web02.contoso.com",
            "app02.internal",
        ] {
            assert!(!text.contains(original), "{original} survives in {text}");
        }
        assert_eq!(
            r.counts(),
            Counts {
                clients: 1,
                servers: 4,
                hosts: 2,
                queries: 1,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn pseudonyms_are_not_numbered_again() {
        let r = redactor(&[(Kind::Client, "client-4"), (Kind::Server, "server-12")]);
        assert_eq!(r.text("client-4 on server-12"), "client-4 on server-12");
        assert_eq!(r.counts(), Counts::default());
        let r = redactor(&[(Kind::Server, "server-x"), (Kind::Server, "web-1")]);
        assert_eq!(
            r.counts().servers,
            2,
            "only a kind's prefix and a number make a pseudonym"
        );
    }

    #[test]
    fn keys_that_become_one_add_their_counts() {
        let r = redactor(&[(Kind::Server, "web01")]);
        let mut v = serde_json::json!({"WEB01": 2, "web01": 3, "other": 1});
        r.json(&mut v);
        assert_eq!(v, serde_json::json!({"server-1": 5, "other": 1}));
    }

    #[test]
    fn the_sentence_counts_each_kind() {
        let c = Counts {
            clients: 2,
            servers: 1,
            ..Counts::default()
        };
        assert_eq!(
            c.sentence(),
            "Redacted: 2 client addresses, 0 user names, 0 host names, 1 server name, 0 query strings, 0 cookies, replaced by pseudonyms."
        );
    }
}
