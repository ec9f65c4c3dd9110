//! The W3C reader on small logs: layouts, header changes, odd lines and the line cap.

use super::fields::{next_space, nth_plain, plain_field_count, prev_space, slice, split_plain};
use super::reader::TimeCache;
use super::*;
use crate::time::{self, Millis};
use crate::triple::Triple;

/// Line, triple, time, time-taken and URL stem of a record.
type Seen = (u64, Option<Triple>, Option<Millis>, Option<u64>, String);

fn collect(text: &[u8]) -> (Vec<Seen>, Stats) {
    let mut out = Vec::new();
    let stats = read(text, |r| {
        let stem = r
            .get(Field::UriStem)
            .map(|s| String::from_utf8_lossy(s).into_owned());
        out.push((
            r.line,
            r.triple,
            r.time,
            r.time_taken_ms,
            stem.unwrap_or_default(),
        ));
    })
    .unwrap();
    (out, stats)
}

const HEAD: &str = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2026-11-18 09:00:00\r\n";

#[test]
fn the_time_cache_reads_every_time_as_a_fresh_parse_does() {
    let times = [
        "09:00:00",
        "09:00:00",
        "09:00:07",
        "09:00:59",
        "09:01:00",
        "09:01:60",
        "09:01:61",
        "09:01:5x",
        "09:01:03",
        "09:01:03.250",
        "09:01:04",
        "23:59:59",
        "00:00:00",
        "ab:cd:ef",
        "00:00:01",
        "9:00:01",
        "",
    ];
    let mut cache = TimeCache::default();
    for t in times {
        assert_eq!(
            cache.time(t.as_bytes()),
            time::parse_time(t.as_bytes()),
            "{t}"
        );
    }
}

#[test]
fn reads_default_layout_with_crlf_and_bom() {
    let text = format!(
        "\u{feff}{HEAD}#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\r\n\
         2026-11-18 10:42:03 10.0.0.5 GET /api/orders/search q=1 443 - 10.0.0.9 Mozilla/5.0 - 502 3 12002 30012\r\n\
         2026-11-18 10:42:04 10.0.0.5 GET / - 443 - 10.0.0.9 Mozilla/5.0 - 200 0 0 15\r\n"
    );
    let (recs, stats) = collect(text.as_bytes());
    assert_eq!(stats.records, 2);
    assert_eq!(stats.malformed, 0);
    assert_eq!(stats.header_blocks, 1);
    assert_eq!(recs[0].1, Some(Triple::new(502, Some(3), Some(12002))));
    assert_eq!(recs[0].3, Some(30012));
    assert_eq!(recs[0].4, "/api/orders/search");
    assert_eq!(recs[0].0, 5);
    assert_eq!(
        time::format_rfc3339(recs[0].2.unwrap()),
        "2026-11-18T10:42:03Z"
    );
}

#[test]
fn a_later_fields_line_replaces_the_layout() {
    let text = b"#Fields: date time sc-status time-taken\n2026-01-01 00:00:00 404 5\n#Fields: time cs-uri-stem sc-status sc-substatus sc-win32-status date\n00:00:01 /x 500 19 13 2026-01-02\n";
    let (recs, stats) = collect(text);
    assert_eq!(stats.header_blocks, 2);
    assert_eq!(recs[0].1, Some(Triple::new(404, None, None)));
    assert_eq!(recs[1].1, Some(Triple::new(500, Some(19), Some(13))));
    assert_eq!(recs[1].4, "/x");
    assert_eq!(
        time::format_short(recs[1].2.unwrap()),
        "2026-01-02 00:00:01"
    );
}

#[test]
fn win32_past_two_to_the_31() {
    let text = b"#Fields: date time sc-status sc-substatus sc-win32-status\n2026-01-01 00:00:00 500 0 3221225781\n2026-01-01 00:00:00 401 1 214784354254\n";
    let (recs, stats) = collect(text);
    assert_eq!(recs[0].1.unwrap().win32, Some(3_221_225_781));
    // Past 32 bits it is no Win32, HRESULT or NTSTATUS value: a damaged line.
    assert_eq!(recs.len(), 1);
    assert_eq!(stats.malformed, 1);
}

#[test]
fn malformed_lines_are_counted_with_line_numbers() {
    let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 200\n2026-01-01 00:00:00 abc\n2026-01-01 00:00:00 200 extra\n2026-01-01 00:00:00 404\n";
    let (recs, stats) = collect(text);
    assert_eq!(recs.len(), 2);
    assert_eq!(stats.malformed, 2);
    assert_eq!(stats.malformed_samples[0].line, 3);
    assert!(
        stats.malformed_samples[0]
            .reason
            .contains("sc-status is `abc`")
    );
    assert_eq!(stats.malformed_samples[1].line, 4);
    assert!(stats.malformed_samples[1].reason.contains("4 fields"));
}

#[test]
fn cut_last_line_is_a_note() {
    let text = b"#Fields: date time sc-status sc-substatus\n2026-01-01 00:00:00 200 0\n2026-01-01 00:00:01 50";
    let (recs, stats) = collect(text);
    assert_eq!(recs.len(), 1);
    assert_eq!(stats.malformed, 0);
    assert!(stats.notes[0].contains("cut off"), "{:?}", stats.notes);
}

#[test]
fn unterminated_but_complete_last_line_is_read() {
    let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 404";
    let (recs, stats) = collect(text);
    assert_eq!(recs.len(), 1);
    assert!(stats.notes.is_empty());
}

#[test]
fn non_utf8_bytes_do_not_abort() {
    let text = b"#Fields: date time cs-uri-stem sc-status\n2026-01-01 00:00:00 /caf\xe9 404\n2026-01-01 00:00:00 /\xff\xfe 200\n";
    let (recs, stats) = collect(text);
    assert_eq!(stats.records, 2);
    assert_eq!(recs[0].4, "/caf\u{fffd}");
}

#[test]
fn missing_substatus_and_win32_are_unknown() {
    let text = b"#Fields: date time sc-status\n2026-01-01 00:00:00 404\n";
    let (recs, _) = collect(text);
    assert_eq!(recs[0].1, Some(Triple::new(404, None, None)));
}

#[test]
fn time_only_logs_take_the_header_date() {
    let text = b"#Date: 2013-07-30 00:00:00\n#Fields: time sc-status \n00:00:03 404\n";
    let (recs, _) = collect(text);
    assert_eq!(
        time::format_short(recs[0].2.unwrap()),
        "2013-07-30 00:00:03"
    );
}

#[test]
fn runs_of_spaces_and_quoted_values() {
    let text = b"#Fields:   date time   cs-uri-stem cs(User-Agent) sc-status\n2026-01-01 00:00:00 /a  \"Mozilla 5.0 (X)\" 404\n2026-01-01 00:00:00 /b  Bot 500\n";
    let (recs, stats) = collect(text);
    assert_eq!(stats.records, 2, "{stats:?}");
    assert_eq!(recs[0].1.unwrap().status, 404);
    assert_eq!(recs[1].1.unwrap().status, 500);
}

#[test]
fn headerless_lines_use_a_default_layout() {
    let text = b"2022-05-08 01:26:01 10.119.32.8 POST /svc - 443 - 10.119.38.250 - - itwebcert.acxiom.com 200 0 0 232\n";
    let (recs, stats) = collect(text);
    assert_eq!(stats.records, 1);
    assert_eq!(recs[0].3, Some(232));
    assert!(stats.notes[0].contains("cs-host"));
}

#[test]
fn spaces_found_word_by_word_match_a_byte_search() {
    let lines: [&[u8]; 6] = [
        b"",
        b" ",
        b"a b",
        b"2026-11-18 10:42:03 10.0.0.5 GET /api/orders/search q=1 443 - 10.0.0.9 Mozilla/5.0 - 502 3 12002 30012",
        b"x\xa0y\x20z\xff  w \x80\x20",
        b"longfieldwithoutanyspaceatallxxxxxxxxxx",
    ];
    for line in lines {
        for at in 0..=line.len() {
            let next = line[at..].iter().position(|&b| b == b' ').map(|p| at + p);
            assert_eq!(next_space(line, at), next, "{line:?} from {at}");
            let prev = line[..at].iter().rposition(|&b| b == b' ');
            assert_eq!(prev_space(line, at), prev, "{line:?} before {at}");
        }
        let mut spans = Vec::new();
        split_plain(line, &mut spans);
        let n = spans.len();
        assert_eq!(plain_field_count(line), n, "{line:?}");
        for (i, &span) in spans.iter().enumerate() {
            assert_eq!(
                nth_plain(line, n, i),
                slice(line, span),
                "{line:?} field {i}"
            );
        }
    }
}

#[test]
fn overlong_line_is_skipped_not_buffered() {
    let mut text = b"#Fields: date time sc-status\n".to_vec();
    text.extend(std::iter::repeat_n(
        b'x',
        crate::input::lines::MAX_LINE + 10,
    ));
    text.extend(b"\n2026-01-01 00:00:00 404\n");
    let (recs, stats) = collect(&text);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].0, 3);
    assert_eq!(stats.malformed, 1);
}

#[test]
fn a_fields_line_of_two_million_names_is_refused_not_held() {
    // 1.9 million one-letter names fit in a 4 MiB line; each was kept as a String.
    let mut text = HEAD.as_bytes().to_vec();
    text.extend_from_slice(b"#Fields:");
    text.extend(b" x".repeat(1_900_000));
    text.extend_from_slice(b"\r\n2026-11-18 09:00:00 /a 500 0 0 1\r\n");
    text.extend_from_slice(b"#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\r\n2026-11-18 09:00:01 /b 502 3 12002 30000\r\n");
    let layout = Layout::parse(&text[HEAD.len() + 8..HEAD.len() + 8 + 3_800_000]);
    assert_eq!(
        layout.len(),
        layout::MAX_FIELDS,
        "names past the cap are not kept"
    );
    assert_eq!(layout.too_many(), Some(1_900_000));
    let (seen, stats) = collect(&text);
    assert_eq!(
        seen.len(),
        1,
        "only the line under the next #Fields line is read"
    );
    assert_eq!(seen[0].4, "/b");
    assert_eq!(stats.malformed, 1);
    assert_eq!(
        stats.malformed_samples[0].reason,
        "under the #Fields line (line 4), which declares more than 1024 fields; not read"
    );
    assert!(
        stats.notes.iter().any(|n| n
            == "line 4: the #Fields line declares 1900000 fields, more than the 1024 a layout may have: the lines under it are counted as malformed"),
        "{:?}",
        stats.notes
    );
    // At the cap, a layout is read as usual.
    let names: Vec<String> = (0..layout::MAX_FIELDS - 4)
        .map(|i| format!("x-{i}"))
        .collect();
    let mut text = format!(
        "#Fields: sc-status sc-substatus sc-win32-status {} time-taken\n",
        names.join(" ")
    )
    .into_bytes();
    text.extend_from_slice(b"404 0 2 ");
    text.extend(b"- ".repeat(layout::MAX_FIELDS - 4));
    text.extend_from_slice(b"7\n");
    let (seen, stats) = collect(&text);
    assert_eq!((seen.len(), stats.malformed), (1, 0), "{stats:?}");
    assert_eq!(seen[0].1, Some(Triple::new(404, Some(0), Some(2))));
}

#[test]
fn status_1000_and_win32_past_u32_are_malformed_lines() {
    let text = "#Fields: date time cs-uri-stem sc-status sc-substatus sc-win32-status time-taken\n\
        2026-11-18 09:00:00 /a 1000 0 0 1\n\
        2026-11-18 09:00:00 /b 99 0 0 1\n\
        2026-11-18 09:00:00 /c 500 0 4294967296 1\n\
        2026-11-18 09:00:00 /d 500 0 4294967295 1\n\
        2026-11-18 09:00:00 /e 100 0 0 1\n";
    let (seen, stats) = collect(text.as_bytes());
    let stems: Vec<&str> = seen.iter().map(|s| s.4.as_str()).collect();
    assert_eq!(stems, ["/d", "/e"]);
    let reasons: Vec<&str> = stats
        .malformed_samples
        .iter()
        .map(|m| m.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "sc-status 1000 is not an HTTP status (100 to 999)",
            "sc-status 99 is not an HTTP status (100 to 999)",
            "sc-win32-status 4294967296 is past 4294967295: not a Win32, HRESULT or NTSTATUS value",
        ]
    );
}
