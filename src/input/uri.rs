//! URLs as HTTP.sys (`cs-uri`) and FREB (`url`) log them, with the query attached. W3C logs
//! write the stem and the query as two fields; these are split once here, so the filters, the
//! summaries and the request export agree on what the stem and the query are.

/// `/path?query` -> (`/path`, `query`).
pub fn split_query(uri: &[u8]) -> (&[u8], Option<&[u8]>) {
    match memchr::memchr(b'?', uri) {
        Some(i) => (&uri[..i], Some(&uri[i + 1..])),
        None => (uri, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_what_follows_the_first_question_mark() {
        assert_eq!(split_query(b"/a/b"), (&b"/a/b"[..], None));
        assert_eq!(split_query(b"/a?x=1?y"), (&b"/a"[..], Some(&b"x=1?y"[..])));
        assert_eq!(split_query(b"/a?"), (&b"/a"[..], Some(&b""[..])));
    }
}
