//! IIS detailed error pages (IIS 7 and later): the `.htm` files App Service keeps in
//! `LogFiles/DetailedErrors/ErrorPage*.htm`, a page saved from a browser, and the text of one
//! as people paste it into a ticket. The page names what no log line does: the module, the
//! notification, the handler, the HRESULT and, for a 500.19, the config file and line.
//!
//! Both forms are read the same way: HTML is first flattened to lines (tags dropped, entities
//! decoded, a table row's header and cell joined by a tab, the highlighted config line
//! marked), then the lines are read as pasted text is. A page is text its sender wrote, so
//! every value is capped and nothing here can panic on any input. The config lines the page
//! quotes are configuration text: their secrets are masked ([`secret::mask_config_line`]).

use serde::Serialize;

use crate::input::secret;

/// The most bytes kept of one value (a URL, a path, a list item).
pub const MAX_VALUE: usize = 2048;
/// The most items kept of one list ("Most likely causes", "Things you can try").
pub const MAX_ITEMS: usize = 32;
/// The most config source lines kept.
pub const MAX_SOURCE_LINES: usize = 64;

/// What a detailed error page says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ErrorPage {
    pub status: u16,
    pub substatus: Option<u32>,
    /// The heading's phrase: `Internal Server Error`.
    pub title: Option<String>,
    pub module: Option<String>,
    pub notification: Option<String>,
    pub handler: Option<String>,
    /// The HRESULT of `Error Code`.
    pub error_code: Option<u32>,
    pub requested_url: Option<String>,
    pub physical_path: Option<String>,
    pub logon_method: Option<String>,
    pub logon_user: Option<String>,
    pub config_error: Option<String>,
    pub config_file: Option<String>,
    /// The lines of the config file the page shows.
    pub config_source: Vec<SourceLine>,
    pub most_likely_causes: Vec<String>,
    pub things_to_try: Vec<String>,
}

impl ErrorPage {
    /// The win32 value of the error code: the low 16 bits of a `0x8007xxxx` HRESULT.
    pub fn win32(&self) -> Option<u64> {
        self.error_code
            .filter(|c| c >> 16 == 0x8007)
            .map(|c| u64::from(c & 0xffff))
    }

    /// The config source line the page highlights: where the configuration error is.
    pub fn failing_line(&self) -> Option<&SourceLine> {
        self.config_source.iter().find(|l| l.failing)
    }
}

/// One line of the config file shown under "Config Source".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceLine {
    pub number: i64,
    pub text: String,
    /// The page highlights it: the line the configuration error is on.
    pub failing: bool,
}

/// Why a text is not a detailed error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("not an IIS detailed error page: no 'HTTP Error NNN.N' heading")]
    NoHeading,
    /// A heading in prose (a README, a mail) is not a page: a page has its fields too.
    #[error(
        "not an IIS detailed error page: an 'HTTP Error NNN.N' heading, but none of the fields \
         of one (Module, Notification, Handler, Error Code, Requested URL, ...)"
    )]
    NoFields,
}

/// Whether the start of a file looks like a detailed error page (HTML or pasted text).
pub fn looks_like_error_page(head: &[u8]) -> bool {
    let text = decode(head);
    let lower = text.to_ascii_lowercase();
    lower.contains("iis detailed error") || lower.lines().any(|l| heading(l).is_some())
}

/// Reads a detailed error page, HTML or pasted text.
pub fn parse(text: &[u8]) -> Result<ErrorPage, PageError> {
    let text = decode(text);
    let lines = if is_html(&text) {
        html_lines(&text)
    } else {
        text.split('\n')
            .map(|l| Line {
                text: l.trim_end_matches('\r').replace('\u{a0}', " "),
                marked: false,
            })
            .collect()
    };
    let (start, (status, substatus, title)) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| heading(&l.text).map(|h| (i, h)))
        .ok_or(PageError::NoHeading)?;
    let mut page = ErrorPage {
        status,
        substatus,
        title: title.map(cap),
        ..ErrorPage::default()
    };
    let mut section = Section::None;
    for line in &lines[start + 1..] {
        let text = line.text.trim();
        if let Some((label, value)) = label_value(text) {
            set(&mut page, label, value);
            section = if label == Label::ConfigSource {
                Section::Source
            } else {
                Section::None
            };
            continue;
        }
        if let Some(s) = section_heading(text) {
            section = s;
            continue;
        }
        match section {
            Section::Source => match source_line(text) {
                Some((number, code)) if page.config_source.len() < MAX_SOURCE_LINES => {
                    page.config_source.push(SourceLine {
                        number,
                        text: cap(&secret::mask_config_line(code)),
                        failing: line.marked,
                    });
                }
                Some(_) => {}
                None if text.is_empty() => {}
                None => section = Section::None,
            },
            Section::Causes | Section::Try => {
                let items = if section == Section::Causes {
                    &mut page.most_likely_causes
                } else {
                    &mut page.things_to_try
                };
                let item = text.trim_start_matches(['•', '·', '*', '-']).trim();
                if item.is_empty() {
                    if !items.is_empty() {
                        section = Section::None;
                    }
                } else if items.len() < MAX_ITEMS {
                    items.push(cap(item));
                }
            }
            Section::None => {}
        }
    }
    let fields = [
        &page.module,
        &page.notification,
        &page.handler,
        &page.requested_url,
        &page.physical_path,
        &page.logon_method,
        &page.logon_user,
        &page.config_error,
        &page.config_file,
    ];
    if page.error_code.is_none() && fields.iter().all(|f| f.is_none()) {
        return Err(PageError::NoFields);
    }
    Ok(page)
}

/// The text of a file: UTF-16 when it starts with a UTF-16 byte-order mark (a page saved by
/// some browsers), else UTF-8 with bad bytes replaced.
fn decode(bytes: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units = bytes[2..].chunks_exact(2).map(|p| {
            let pair = [p[0], p[1]];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match bytes {
        [0xff, 0xfe, ..] => utf16(true),
        [0xfe, 0xff, ..] => utf16(false),
        [0xef, 0xbb, 0xbf, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// `value` cut to at most [`MAX_VALUE`] bytes, at a character boundary.
fn cap(value: &str) -> String {
    let mut end = value.len().min(MAX_VALUE);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_string()
}

/// `HTTP Error 500.19 - Internal Server Error` anywhere in a line (a paste often has it
/// mid-sentence): status, substatus and phrase.
fn heading(line: &str) -> Option<(u16, Option<u32>, Option<&str>)> {
    const KEY: &str = "http error ";
    let mut from = 0;
    while let Some(at) = find_ascii_ci(&line[from..], KEY) {
        let rest = &line[from + at + KEY.len()..];
        from += at + KEY.len();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits != 3 {
            continue;
        }
        let Ok(status) = rest[..3].parse::<u16>() else {
            continue;
        };
        let mut rest = &rest[3..];
        let mut substatus = None;
        if let Some(after) = rest.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            substatus = after[..n].parse::<u32>().ok();
            rest = &after[n..];
        }
        let title = rest
            .trim_start()
            .strip_prefix(['-', '–', '—'])
            .map(str::trim)
            .filter(|t| !t.is_empty());
        return Some((status, substatus, title));
    }
    None
}

/// The byte offset of `needle` (ASCII, lower case) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Module,
    Notification,
    Handler,
    ErrorCode,
    RequestedUrl,
    PhysicalPath,
    LogonMethod,
    LogonUser,
    ConfigError,
    ConfigFile,
    ConfigSource,
}

const LABELS: &[(&str, Label)] = &[
    ("module", Label::Module),
    ("notification", Label::Notification),
    ("handler", Label::Handler),
    ("error code", Label::ErrorCode),
    ("requested url", Label::RequestedUrl),
    ("physical path", Label::PhysicalPath),
    ("logon method", Label::LogonMethod),
    ("logon user", Label::LogonUser),
    ("config error", Label::ConfigError),
    ("config file", Label::ConfigFile),
    ("config source", Label::ConfigSource),
];

/// A `Label<tab or spaces or colon>value` line; the value may be empty.
fn label_value(line: &str) -> Option<(Label, &str)> {
    LABELS.iter().find_map(|&(name, label)| {
        let head = line.get(..name.len())?;
        if !head.eq_ignore_ascii_case(name) {
            return None;
        }
        let rest = &line[name.len()..];
        let value = if rest.is_empty() {
            rest
        } else if let Some(v) = rest.strip_prefix(':') {
            v
        } else if rest.starts_with('\t') || rest.starts_with("  ") {
            rest
        } else {
            return None;
        };
        Some((label, value.trim()))
    })
}

/// Sets a field from its label; the first value wins, an empty one is none.
fn set(page: &mut ErrorPage, label: Label, value: &str) {
    if value.is_empty() {
        return;
    }
    if label == Label::ErrorCode {
        page.error_code = page.error_code.or_else(|| hresult(value));
        return;
    }
    let field = match label {
        Label::Module => &mut page.module,
        Label::Notification => &mut page.notification,
        Label::Handler => &mut page.handler,
        Label::RequestedUrl => &mut page.requested_url,
        Label::PhysicalPath => &mut page.physical_path,
        Label::LogonMethod => &mut page.logon_method,
        Label::LogonUser => &mut page.logon_user,
        Label::ConfigError => &mut page.config_error,
        Label::ConfigFile => &mut page.config_file,
        Label::ErrorCode | Label::ConfigSource => return,
    };
    if field.is_none() {
        // The error text may quote the value IIS refused; the URL is shown as it was asked.
        let value = match label {
            Label::ConfigError => secret::mask(value),
            _ => value.into(),
        };
        *field = Some(cap(&value));
    }
}

/// `0x8007000d` (the page's spelling), at the start of the value.
fn hresult(value: &str) -> Option<u32> {
    let hex = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))?;
    let n = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
    if n == 0 || n > 8 {
        return None;
    }
    u32::from_str_radix(&hex[..n], 16).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    Causes,
    Try,
    Source,
}

/// The headings that open (or close) a section of the page.
fn section_heading(line: &str) -> Option<Section> {
    let name = line.trim_end_matches(':').trim();
    let is = |s: &str| name.eq_ignore_ascii_case(s);
    if is("most likely causes") {
        Some(Section::Causes)
    } else if is("things you can try") {
        Some(Section::Try)
    } else if is("detailed error information")
        || is("more information")
        || is("links and more information")
    {
        Some(Section::None)
    } else {
        None
    }
}

/// `  12:     <rewrite>`: a config line's number and text.
fn source_line(line: &str) -> Option<(i64, &str)> {
    let (number, text) = line.split_once(':')?;
    let number = number.trim();
    let digits = number.strip_prefix('-').unwrap_or(number);
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number.parse().ok()?, text.trim()))
}

/// One line of text, and whether the page highlights it.
#[derive(Debug)]
struct Line {
    text: String,
    marked: bool,
}

fn is_html(text: &str) -> bool {
    ["<html", "<body", "<h3", "<th>", "<td", "<fieldset", "<br"]
        .iter()
        .any(|tag| find_ascii_ci(text, tag).is_some())
}

/// Tags that end a line of text.
const BLOCKS: &[&str] = &[
    "br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "fieldset", "legend", "pre", "title", "head", "body", "html", "hr", "dd", "dt",
];

/// HTML flattened to its non-blank lines of text.
fn html_lines(html: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut cur = Line {
        text: String::new(),
        marked: false,
    };
    let mut pre = 0usize;
    // The tag that opened the highlighted stretch, while in it.
    let mut highlight: Option<String> = None;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(after) = rest.strip_prefix("<!--") {
                    rest = after.find("-->").map_or("", |end| &after[end + 3..]);
                    continue;
                }
                let Some(end) = rest.find('>') else {
                    rest = "";
                    continue;
                };
                let tag = &rest[1..end];
                rest = &rest[end + 1..];
                let closing = tag.starts_with('/');
                let body = tag.trim_start_matches('/');
                let name: String = body
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if !closing && (name == "style" || name == "script") {
                    let close = format!("</{name}");
                    rest = find_ascii_ci(rest, &close).map_or("", |at| &rest[at..]);
                    continue;
                }
                if BLOCKS.contains(&name.as_str()) {
                    flush(&mut cur, &mut out);
                }
                if name == "pre" {
                    pre = if closing {
                        pre.saturating_sub(1)
                    } else {
                        pre + 1
                    };
                } else if name == "td" && !closing {
                    cur.text.push('\t');
                }
                if closing {
                    if highlight.as_deref() == Some(name.as_str()) {
                        highlight = None;
                    }
                } else if highlight.is_none() && is_highlight(body) {
                    highlight = Some(name);
                }
            }
            '&' => {
                let (decoded, used) = entity(rest);
                let decoded = match decoded {
                    '\t' | '\n' | '\r' | '\u{a0}' => ' ',
                    c => c,
                };
                cur.text.push(decoded);
                cur.marked |= highlight.is_some();
                rest = &rest[used..];
            }
            '\n' if pre > 0 => {
                flush(&mut cur, &mut out);
                rest = &rest[1..];
            }
            _ => {
                let c = match c {
                    '\t' | '\n' | '\r' | '\u{a0}' => ' ',
                    c => c,
                };
                if !c.is_whitespace() {
                    cur.marked |= highlight.is_some();
                }
                cur.text.push(c);
                rest = &rest[c.len_utf8().max(1)..];
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Ends the current line, keeping it when it has text.
fn flush(cur: &mut Line, out: &mut Vec<Line>) {
    if !cur.text.trim().is_empty() {
        out.push(Line {
            text: std::mem::take(&mut cur.text),
            marked: cur.marked,
        });
    }
    cur.text.clear();
    cur.marked = false;
}

/// Whether a tag's attributes mark the failing config line (`class="highlight-code"`,
/// `<font color=red>`).
fn is_highlight(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    lower.contains("highlight") || lower.contains("color=red") || lower.contains("color=\"red\"")
}

/// The character an entity at the start of `text` (which starts with `&`) stands for, and
/// the bytes it takes; an unknown or broken one stands for itself.
fn entity(text: &str) -> (char, usize) {
    let Some(end) = text.get(1..text.len().min(12)).and_then(|t| t.find(';')) else {
        return ('&', 1);
    };
    let name = &text[1..end + 1];
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "raquo" => Some('»'),
        "laquo" => Some('«'),
        "copy" => Some('©'),
        _ => name.strip_prefix('#').and_then(|n| {
            let value = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n.parse::<u32>().ok(),
            };
            value.and_then(char::from_u32)
        }),
    };
    match c {
        Some(c) => (c, end + 2),
        None => ('&', 1),
    }
}

#[cfg(test)]
mod tests;
