//! `--url`: a regular expression on the URL stem, or on `stem?query`; and the path of the full
//! URL a FREB trace names, so it is matched like a logged stem.

use regex::bytes::Regex;

use crate::error::{Error, Result};

/// The `--url` regular expression, on the URI stem or on `stem?query`.
#[derive(Debug, Clone)]
pub struct UrlFilter {
    regex: Regex,
    with_query: bool,
}

impl UrlFilter {
    pub fn new(pattern: &str, with_query: bool) -> Result<UrlFilter> {
        let regex = Regex::new(pattern).map_err(|e| Error::BadOption {
            flag: "--url",
            value: pattern.to_string(),
            reason: format!("not a regular expression: {e}"),
        })?;
        Ok(UrlFilter { regex, with_query })
    }

    pub(super) fn matches(&self, stem: &[u8], query: Option<&[u8]>) -> bool {
        match query {
            Some(q) if self.with_query && !q.is_empty() => {
                let mut whole = Vec::with_capacity(stem.len() + q.len() + 1);
                whole.extend_from_slice(stem);
                whole.push(b'?');
                whole.extend_from_slice(q);
                self.regex.is_match(&whole)
            }
            _ => self.regex.is_match(stem),
        }
    }
}

/// `http://host:80/api/orders?x=1` -> `/api/orders?x=1`.
pub fn url_path(url: &str) -> &str {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => url,
    }
}

/// The path of a URL as the W3C log's `cs-uri-stem` has it: `http://host:80/api/orders?x=1`
/// -> `/api/orders` (a trace's or an event's URL set beside a log line).
pub fn url_stem(url: &str) -> &str {
    url_path(url.split(['?', '#']).next().unwrap_or(url))
}
