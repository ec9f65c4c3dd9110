//! Log text made safe for the medium it is shown in: a terminal, a CSV cell, Markdown, HTML.
//!
//! A URL, a user agent, a server name, an HTTP.sys reason or a FREB field is written by
//! whoever sent the request (or whoever copied the files), so every value from a log passes
//! through one of these guards on its way out. They live together so that a reviewer reads
//! in one file everything iisdiag does against hostile text, and so that each medium has one
//! guard, not a variant per writer. The module depends on nothing else in the crate, so any
//! stage may use it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character may not reach a reader as itself: C0 and C1 control characters
/// (ESC starts every terminal escape sequence; BEL, BS, CR and newlines rewrite or forge
/// lines), DEL, and the invisible characters that reorder or split what is shown (bidi
/// embeddings, overrides, isolates and marks; line and paragraph separators).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Pushes the visible spelling of a hidden character: `\t`, `\n`, `\r`, `\x1b` below 0x80,
/// `\u{202e}` above.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Text for a terminal (or any plain-text output a person reads): every control or C1
/// character and every bidi control is shown as an escape (`\x1b`, `\u{202e}`), so no
/// escape sequence, title change, clipboard write, hyperlink, screen clear, overwritten or
/// forged line can come out of a log. Colour that iisdiag adds is added after this.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`terminal`], cut to at most `max` characters (counted after escaping) with `ellipsis`
/// at the end, so that one long value cannot blow up a line, a column or a table.
pub fn terminal_cut(text: &str, max: usize, ellipsis: &str) -> String {
    cut(&terminal(text), max, ellipsis)
}

/// `text` cut to at most `max` characters, the last of them `ellipsis`, when it is longer
/// (to the ellipsis alone when `max` is shorter than it).
pub fn cut(text: &str, max: usize, ellipsis: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep = max.saturating_sub(ellipsis.chars().count());
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}{ellipsis}", &text[..end])
        }
    }
}

/// A CSV cell a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab
/// or carriage return) gets a leading `'`, which spreadsheets show as text.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// Text for HTML content and attribute values: the five characters that can end a text
/// run or an attribute are written as references; hidden characters are shown as escapes,
/// as on a terminal.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Markdown (GitHub-flavoured): log values go in code spans, where nothing renders; free
/// text is escaped so that it renders as the same words and opens nothing.
pub mod markdown {
    use super::terminal;

    /// `value` as a code span in a table cell: GitHub splits cells on `|` even inside code,
    /// and drops the backslash of `\|` there.
    pub fn cell_code(value: &str) -> String {
        code(&value.replace('|', "\\|"))
    }

    /// `value` as a code span: shown as it is, rendered as nothing else. The fence is longer
    /// than any run of backticks inside.
    pub fn code(value: &str) -> String {
        let value = terminal(value);
        let mut longest = 0;
        let mut run = 0;
        for c in value.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest + 1);
        // A span that starts or ends with a backtick (or a space) needs a space of padding,
        // which Markdown strips again.
        if longest > 0 || value.starts_with(' ') || value.ends_with(' ') {
            format!("{fence} {value} {fence}")
        } else {
            format!("{fence}{value}{fence}")
        }
    }

    /// Free text, escaped so that it renders as the same words: no HTML tag, link, image,
    /// emphasis, strikethrough, math or table break can come out of it, and no autolink:
    /// GFM's extended autolinks (`www.`, `http://`, `mailto:`, a bare e-mail address) form
    /// only from an unescaped `www.`, `:` before `//`, and `@` in one text run, so those
    /// are escaped (`www\.`, `\://`, `\@`), which renders as the same characters.
    /// Underscores inside a word (`ERROR_WINHTTP_TIMEOUT`) cannot start emphasis and are
    /// left as they are.
    pub fn text(value: &str) -> String {
        let chars: Vec<char> = terminal(value).chars().collect();
        let mut out = String::with_capacity(chars.len() + 8);
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            // At the start, what would open a heading, quote, list or rule.
            let starts_a_block = i == 0 && matches!(c, '#' | '>' | '-' | '+' | '=')
                || (matches!(c, '.' | ')')
                    && i > 0
                    && chars[..i].iter().all(char::is_ascii_digit)
                    && next.is_none_or(|n| n == ' '));
            let after_www = i >= 3 && chars[i - 3..i].iter().all(|w| w.eq_ignore_ascii_case(&'w'));
            let escape = starts_a_block
                || match c {
                    '*' | '`' | '[' | ']' | '<' | '|' | '~' | '$' => true,
                    '@' => starts_a_domain(&chars[i + 1..]),
                    '\\' => next.is_some_and(|n| n.is_ascii_punctuation()),
                    '_' => {
                        !(prev.is_some_and(char::is_alphanumeric)
                            && next.is_some_and(char::is_alphanumeric))
                    }
                    '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
                    '.' => after_www,
                    ':' => next == Some('/'),
                    _ => false,
                };
            if escape {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    /// Whether `rest` (what follows an `@`) starts as the domain of an e-mail autolink
    /// would: letters, digits, `-` or `_`, then a `.` and more of them.
    fn starts_a_domain(rest: &[char]) -> bool {
        let part = |c: &&char| c.is_alphanumeric() || matches!(c, '-' | '_');
        let first = rest.iter().take_while(part).count();
        first > 0 && rest.get(first) == Some(&'.') && rest.get(first + 1).is_some_and(|c| part(&c))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::markdown::{cell_code, code, text};
    use super::*;

    #[test]
    fn terminal_escapes_are_shown_not_run() {
        let cases = [
            ("/api/orders", "/api/orders"),
            ("C:\\inetpub\\logs", "C:\\inetpub\\logs"),
            ("a\u{1b}]0;title\u{7}", "a\\x1b]0;title\\x07"),
            ("\u{1b}]52;c;ZXZpbA==\u{7}", "\\x1b]52;c;ZXZpbA==\\x07"),
            ("\u{1b}]8;;http://e/\u{1b}\\x", "\\x1b]8;;http://e/\\x1b\\x"),
            ("\u{1b}[2J\u{1b}[H", "\\x1b[2J\\x1b[H"),
            (
                "a\u{8}\u{8}\u{7f}\r\n\t\0",
                "a\\x08\\x08\\x7f\\r\\n\\t\\x00",
            ),
            ("\u{9b}31m", "\\u{9b}31m"),
            ("abc\u{202e}fdp.exe", "abc\\u{202e}fdp.exe"),
            (
                "\u{202a}\u{202d}\u{2066}\u{2069}\u{200e}\u{200f}\u{61c}\u{2028}",
                "\\u{202a}\\u{202d}\\u{2066}\\u{2069}\\u{200e}\\u{200f}\\u{61c}\\u{2028}",
            ),
            ("WEB01 é 日本", "WEB01 é 日本"),
        ];
        for (raw, want) in cases {
            assert_eq!(terminal(raw), want, "{raw:?}");
        }
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn cuts_keep_within_the_bound() {
        assert_eq!(cut("abcdef", 6, "..."), "abcdef");
        assert_eq!(cut("abcdefg", 6, "..."), "abc...");
        assert_eq!(cut("日本語テキスト", 4, "…"), "日本語…");
        assert_eq!(cut("ab", 1, "..."), "...");
        assert_eq!(terminal_cut("a\u{1b}bcdef", 6, "~"), "a\\x1b~");
        let long = "x".repeat(100_000);
        assert_eq!(terminal_cut(&long, 40, "...").chars().count(), 40);
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for (text, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("/api/orders", "/api/orders"),
            ("", ""),
        ] {
            assert_eq!(csv_cell(text), want);
        }
    }

    #[test]
    fn html_escapes_markup_and_shows_hidden_characters() {
        let cases = [
            ("<script>", "&lt;script&gt;"),
            ("a&b \"c\" 'd'", "a&amp;b &quot;c&quot; &#39;d&#39;"),
            ("x\u{1b}[2J\u{202e}", "x\\x1b[2J\\u{202e}"),
        ];
        for (raw, want) in cases {
            assert_eq!(html(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn code_spans_hold_anything() {
        let cases = [
            ("/api/orders", "`/api/orders`"),
            ("/a|b", "`/a|b`"),
            ("/a`b", "`` /a`b ``"),
            ("`x``", "``` `x`` ```"),
            ("/a\nb\tc", "`/a\\nb\\tc`"),
            (" lead", "`  lead `"),
            ("a\u{1b}[2J", "`a\\x1b[2J`"),
        ];
        for (value, want) in cases {
            assert_eq!(code(value), want, "{value:?}");
        }
    }

    #[test]
    fn table_cells_escape_the_pipe_even_in_code() {
        assert_eq!(cell_code("/a|b"), "`/a\\|b`");
        assert_eq!(cell_code("x"), "`x`");
    }

    #[test]
    fn text_is_escaped_to_render_as_itself() {
        let cases = [
            ("ERROR_WINHTTP_TIMEOUT", "ERROR_WINHTTP_TIMEOUT"),
            ("_start and end_", "\\_start and end\\_"),
            ("procdump -ma <pid>", "procdump -ma \\<pid>"),
            ("Proxy > Time-out", "Proxy > Time-out"),
            ("# not a heading", "\\# not a heading"),
            ("> not a quote", "\\> not a quote"),
            ("12. not a list", "12\\. not a list"),
            ("500.0.0: peak", "500.0.0: peak"),
            ("- x - y", "\\- x - y"),
            ("[benign] *really*", "\\[benign\\] \\*really\\*"),
            ("![x](javascript:alert(1))", "!\\[x\\](javascript:alert(1))"),
            ("C:\\inetpub\\logs", "C:\\inetpub\\logs"),
            ("a\\*b", "a\\\\\\*b"),
            ("&lt; & more", "\\&lt; & more"),
            ("a | b", "a \\| b"),
            ("~~gone~~ $x$", "\\~\\~gone\\~\\~ \\$x\\$"),
            ("two\nlines", "two\\nlines"),
        ];
        for (value, want) in cases {
            assert_eq!(text(value), want, "{value:?}");
        }
    }

    /// GFM's extended autolinks (spec, "Autolinks (extension)"): `www.` followed by a domain,
    /// a scheme `http://`, `https://`, `ftp://` followed by a domain, and an e-mail address
    /// (`mailto:` and `xmpp:` before one included) all form inside one text run; a backslash
    /// escape ends the run, and `\.`, `\:`, `\@` render as the bare characters.
    #[test]
    fn log_text_in_markdown_forms_no_autolink() {
        let cases = [
            ("backend www.evil.example", "backend www\\.evil.example"),
            ("on WWW.evil.example", "on WWW\\.evil.example"),
            ("(www.evil.example)", "(www\\.evil.example)"),
            ("see http://evil.example/x", "see http\\://evil.example/x"),
            ("ftp://evil.example", "ftp\\://evil.example"),
            ("mailto:a@evil.example", "mailto:a\\@evil.example"),
            ("admin@evil.example", "admin\\@evil.example"),
            ("xmpp:a@evil.example/r", "xmpp:a\\@evil.example/r"),
            ("webSocket@enabled", "webSocket@enabled"),
            ("protocol@timeout)", "protocol@timeout)"),
            ("a@b.c", "a\\@b.c"),
            ("10:42:03 .. 10:46:57", "10:42:03 .. 10:46:57"),
        ];
        for (value, want) in cases {
            let got = text(value);
            assert_eq!(got, want, "{value:?}");
            assert!(!has_autolink(&got), "{got}");
        }
    }

    /// Whether `md` holds what GFM would autolink outside a backslash escape: `www.`, a
    /// scheme's `://`, or an address (`a@b.c`).
    fn has_autolink(md: &str) -> bool {
        let mut plain = String::new();
        let mut chars = md.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                // An escaped character ends the text run; it links to nothing around it.
                chars.next();
                plain.push('\u{1}');
            } else {
                plain.push(c.to_ascii_lowercase());
            }
        }
        // The GFM spec's conditions, loosened: any `www.`, any scheme, any address.
        let autolink = regex::Regex::new(
            r"www\.|(https?|ftp)://|[A-Za-z0-9._+-]@[A-Za-z0-9_-]+\.[A-Za-z0-9_-]",
        )
        .unwrap();
        autolink.is_match(&plain)
    }
}
