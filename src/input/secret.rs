//! Masking of secrets inside free text: the one function every reader of application
//! evidence (stdout logs, ANCM debug logs, event data, FREB event data, PHP error messages,
//! the config lines a detailed error page quotes) passes its text through before keeping it. Applications
//! quote their connection strings in exception messages and print their environment, so a
//! secret read from such text is replaced by [`MASK`] at the reader, and nothing after the
//! reader ever holds it.
//!
//! Configuration files are not masked here: their reader copies only the attributes it
//! names and never reads a secret at all.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// The mark put where a secret was.
pub const MASK: &str = "***";

/// Keys of a connection string, a URL query, an environment variable or a form whose value
/// is a secret, or names the account that holds one. Matched case-insensitively, whole:
/// the key must start the text or follow a separator (see [`key_starts`]).
const SECRET_KEYS: [&str; 22] = [
    "password",
    "pwd",
    "user id",
    "userid",
    "uid",
    "user",
    "accountkey",
    "sharedaccesskey",
    "sharedaccesssignature",
    "sig",
    "client_secret",
    "clientsecret",
    "secret",
    "apikey",
    "api_key",
    "api-key",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "validationkey",
    "decryptionkey",
];

/// HTTP header lines whose whole value is a credential (FREB dumps request headers).
const SECRET_HEADERS: [&str; 4] = [
    "authorization:",
    "proxy-authorization:",
    "cookie:",
    "set-cookie:",
];

/// `Server=db;User ID=sa;Password=hunter2` -> `Server=db;User ID=***;Password=***`; also
/// `Password="a;b"` (a quoted value, to its closing quote), the password of
/// `scheme://user:password@host`, `Bearer <token>`, and the value of an `Authorization:` or
/// `Cookie:` header line. An unquoted value ends at `;`, `&`, a quote or the line end, so a
/// password with spaces is masked whole. Keys match case-insensitively after the start, a
/// separator, a quote, `_` (`Smtp__Password`) or a space.
pub fn mask(text: &str) -> Cow<'_, str> {
    // Each kind of secret needs a byte most values lack: `=` for a keyed value, `:` for a URL
    // or a header, `(` for a connect call, and `bearer ` a space. Looking for those first
    // skips the lowering and the many searches for the values that hold none (most of what
    // traces and events carry), with the same result.
    let bytes = text.as_bytes();
    let keyed = memchr::memchr(b'=', bytes).is_some();
    let colon = memchr::memchr(b':', bytes).is_some();
    let call = memchr::memchr(b'(', bytes).is_some();
    let space = memchr::memchr(b' ', bytes).is_some();
    if !(keyed || colon || call || space) {
        return Cow::Borrowed(text);
    }
    // ASCII lowering keeps every byte where it was, so offsets into it are offsets into text.
    let lower = text.to_ascii_lowercase();
    let mut cuts = if keyed {
        keyed_values(&lower)
    } else {
        Vec::new()
    };
    // Each marker holds a `:`, a space or a `(`, so a text without them is not searched.
    if colon || call || space {
        cuts.extend(marked_values(&lower));
    }
    apply(text, cuts)
}

/// Whether a key found at `at` starts there, rather than ending a longer word (`guid`).
fn key_starts(bytes: &[u8], at: usize) -> bool {
    at == 0
        || matches!(
            bytes[at - 1],
            b';' | b' '
                | b'\t'
                | b'\''
                | b'"'
                | b'('
                | b'?'
                | b'&'
                | b'{'
                | b','
                | b'_'
                | b':'
                | b'.'
                | b'['
                | b'\n'
        )
}

/// The spans of the values of `key=value` pairs whose key is secret.
fn keyed_values(lower: &str) -> Vec<(usize, usize)> {
    // Each `=` is looked at once, with the key that ends before it (spaces between allowed):
    // one pass over the text, not one search per key.
    let bytes = lower.as_bytes();
    let mut cuts = Vec::new();
    for eq in memchr::memchr_iter(b'=', bytes) {
        let mut end = eq;
        while end > 0 && bytes[end - 1] == b' ' {
            end -= 1;
        }
        let before = &bytes[..end];
        let keyed = SECRET_KEYS
            .iter()
            .any(|key| before.ends_with(key.as_bytes()) && key_starts(bytes, end - key.len()));
        if let (true, Some(span)) = (keyed, value_at(bytes, skip_spaces(bytes, eq + 1))) {
            cuts.push(span);
        }
    }
    cuts
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

/// The value starting at `start`: inside its quotes when quoted (an XML attribute, a quoted
/// connection-string value), else up to `;`, `&`, a quote or the line end.
fn value_at(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(start..)?;
    let (start, end) = match rest.first() {
        Some(&q @ (b'"' | b'\'')) => {
            let len = rest[1..].iter().position(|&b| b == q || b == b'\n');
            (start + 1, start + 1 + len.unwrap_or(rest.len() - 1))
        }
        _ => {
            let len = rest
                .iter()
                .position(|b| matches!(b, b';' | b'&' | b'\'' | b'"' | b'\n' | b'\r'));
            (start, start + len.unwrap_or(rest.len()))
        }
    };
    (end > start).then_some((start, end))
}

/// What follows a fixed marker: a URL's `://`, `bearer `, a credential header, a connect call.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Url,
    Bearer,
    Header(&'static str),
    Call,
}

/// The markers, each with the words it is found by, in one automaton: one pass over the
/// text finds every marker (overlapping ones too: `proxy-authorization:` holds
/// `authorization:`). No marker overlaps itself, so each one's matches are those a search
/// for it alone would find.
fn markers() -> &'static (AhoCorasick, Vec<Marker>) {
    static MARKERS: LazyLock<(AhoCorasick, Vec<Marker>)> = LazyLock::new(|| {
        let mut words = vec!["://", "bearer "];
        let mut kinds = vec![Marker::Url, Marker::Bearer];
        words.extend(SECRET_HEADERS);
        kinds.extend(SECRET_HEADERS.map(Marker::Header));
        words.extend(CONNECT_CALLS);
        kinds.extend(CONNECT_CALLS.map(|_| Marker::Call));
        match AhoCorasick::new(&words) {
            Ok(automaton) => (automaton, kinds),
            // A dozen short fixed words are far below every limit of the automaton.
            Err(e) => unreachable!("the secret markers make an automaton: {e}"),
        }
    });
    &MARKERS
}

/// The spans of the secrets after every marker in `lower`.
fn marked_values(lower: &str) -> Vec<(usize, usize)> {
    let (automaton, kinds) = markers();
    let bytes = lower.as_bytes();
    let mut cuts = Vec::new();
    for found in automaton.find_overlapping_iter(lower) {
        let (at, after) = (found.start(), found.end());
        let span = match kinds.get(found.pattern().as_usize()) {
            Some(Marker::Url) => url_password(bytes, after),
            Some(Marker::Bearer) => bearer_token(bytes, at, after),
            Some(Marker::Header(header)) => header_value(bytes, at, after, header),
            Some(Marker::Call) => call_arguments(bytes, after),
            None => None,
        };
        cuts.extend(span);
    }
    cuts
}

/// `https://user:secret@host`: the part between `:` and `@`, `start` just after `://`.
fn url_password(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(start..)?;
    let stop = rest
        .iter()
        .position(|b| matches!(b, b'/' | b' ' | b'\'' | b'"' | b'\n'))
        .unwrap_or(rest.len());
    let atsign = rest[..stop].iter().rposition(|&b| b == b'@')?;
    let colon = rest[..atsign].iter().position(|&b| b == b':')?;
    (atsign > colon + 1).then_some((start + colon + 1, start + atsign))
}

/// The token after `Bearer ` (an `Authorization` value quoted anywhere), `at` the word's
/// start and `after` its end.
fn bearer_token(bytes: &[u8], at: usize, after: usize) -> Option<(usize, usize)> {
    let start = skip_spaces(bytes, after);
    let rest = bytes.get(start..)?;
    let len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'\'' | b'"' | b';' | b','))
        .unwrap_or(rest.len());
    (len > 0 && key_starts(bytes, at)).then_some((start, start + len))
}

/// The value of a credential header line at `at` (its name ends at `after`), after its
/// scheme word when it has one (`Basic`, `Negotiate`), to the end of the line.
fn header_value(bytes: &[u8], at: usize, after: usize, header: &str) -> Option<(usize, usize)> {
    // `Proxy-Authorization:` holds `authorization:` too; that match is not a line start.
    let line_start = at == 0 || matches!(bytes[at - 1], b'\n' | b'\r' | b' ' | b'\t');
    if !line_start {
        return None;
    }
    let mut start = skip_spaces(bytes, after);
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| i + start);
    if header.ends_with("authorization:")
        && let Some(space) = bytes[start..end].iter().position(|&b| b == b' ')
    {
        start = skip_spaces(bytes, start + space);
    }
    (end > start).then_some((start, end))
}

/// Calls whose arguments are credentials, as PHP's stack traces print them
/// (`#0 db.php(12): PDO->__construct('mysql:host=db', 'root', 'secret')`).
const CONNECT_CALLS: [&str; 6] = [
    "pdo->__construct(",
    "mysqli->__construct(",
    "mysqli->real_connect(",
    "mysqli_connect(",
    "sqlsrv_connect(",
    "pg_connect(",
];

/// The argument list of one of [`CONNECT_CALLS`] from `start`, to the closing parenthesis
/// or the text's end.
fn call_arguments(bytes: &[u8], start: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(start..)?;
    let end = memchr::memchr(b')', rest).map_or(bytes.len(), |i| i + start);
    (end > start).then_some((start, end))
}

/// `text` with each span of `cuts` replaced by [`MASK`]; overlapping spans merge.
fn apply(text: &str, mut cuts: Vec<(usize, usize)>) -> Cow<'_, str> {
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in cuts {
        if start < at {
            at = at.max(end);
            continue;
        }
        // Cut points are at ASCII bytes (or the text's end), so on character boundaries.
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at.min(text.len())..]);
    Cow::Owned(out)
}

/// Names of configuration attributes whose value is a secret, matched as the end of the
/// lowered name: `password` covers `password`, `userPassword`, `smtpPassword`.
const SECRET_ATTRIBUTE_ENDS: [&str; 9] = [
    "password",
    "pwd",
    "connectionstring",
    "validationkey",
    "decryptionkey",
    "secret",
    "token",
    "apikey",
    "value",
];

/// One line of a configuration file as a detailed error page quotes it ("Config Source"):
/// the values of secret attributes (`password`, `*Password`, `connectionString`, the
/// machine keys, and every `value`, which is what `appSettings` and `environmentVariables`
/// hold) and the text between tags (a `<CipherValue>`) are masked; a line without markup is
/// the continuation of such text (a wrapped cipher value) and is masked whole. Then
/// [`mask`] runs over what is left.
pub fn mask_config_line(line: &str) -> String {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return line.to_string();
    }
    if !trimmed.contains(['<', '>', '=']) {
        return MASK.to_string();
    }
    let lower = line.to_ascii_lowercase();
    let mut cuts = secret_attributes(&lower);
    cuts.extend(element_text(&lower));
    let masked = apply(line, cuts);
    mask(&masked).into_owned()
}

/// The spans of the values of `name="value"` attributes whose name is secret.
fn secret_attributes(lower: &str) -> Vec<(usize, usize)> {
    let bytes = lower.as_bytes();
    let mut cuts = Vec::new();
    for (eq, _) in lower.match_indices('=') {
        let name_end = lower[..eq].trim_end().len();
        let name_start = bytes[..name_end]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.')))
            .map_or(0, |i| i + 1);
        let name = &lower[name_start..name_end];
        let secret = SECRET_ATTRIBUTE_ENDS.iter().any(|end| name.ends_with(end));
        let value = skip_spaces(bytes, eq + 1);
        if secret && matches!(bytes.get(value), Some(b'"' | b'\'')) {
            cuts.extend(value_at(bytes, value));
        }
    }
    cuts
}

/// The spans of non-blank text outside tags. A line that shows `>` before any `<` starts
/// inside a tag that opened on an earlier line (attributes wrapped onto it).
fn element_text(lower: &str) -> Vec<(usize, usize)> {
    let bytes = lower.as_bytes();
    let first = bytes.iter().find(|b| matches!(b, b'<' | b'>'));
    let mut in_tag = first == Some(&b'>');
    let mut quote: Option<u8> = None;
    let mut text_start = 0;
    let mut cuts = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if !in_tag {
            if b == b'<' {
                push_trimmed(&mut cuts, lower, text_start, i);
                in_tag = true;
            }
            continue;
        }
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => {
                in_tag = false;
                text_start = i + 1;
            }
            _ => {}
        }
    }
    if !in_tag {
        push_trimmed(&mut cuts, lower, text_start, bytes.len());
    }
    cuts
}

/// Adds the span `start..end` of `text` less its surrounding whitespace, unless blank.
fn push_trimmed(cuts: &mut Vec<(usize, usize)>, text: &str, start: usize, end: usize) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if lead < piece.len() {
        cuts.push((start + lead, end - trail));
    }
}

#[cfg(test)]
mod tests;
