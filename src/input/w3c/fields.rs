//! Finding a line's fields without splitting it: the fields a record always parses are
//! located by a short walk from each end of the line, eight bytes at a time, and the others
//! only when asked for. Lines of the rarer forms (runs of spaces, quoted values) are split.

use memchr::memchr;

/// Where a line's fields are: in a line of single-space separated values (what IIS writes,
/// and nearly every line) the fields grouping needs are located at both ends and the rest
/// found on demand; lines of the other forms are split already.
#[derive(Debug, Clone, Copy)]
pub(super) enum Fields<'a> {
    Plain {
        /// How many fields the line has.
        n: usize,
        /// The first fields, and the last ones (last field first).
        front: &'a [(u32, u32)],
        back: &'a [(u32, u32)],
    },
    Spans(&'a [(u32, u32)]),
}

impl<'a> Fields<'a> {
    /// Field `i` of `line`, or `None` past the last field.
    pub(super) fn nth(self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        match self {
            Fields::Plain { n, front, back } if i < n => {
                if let Some(&s) = front.get(i) {
                    Some(slice(line, s))
                } else if let Some(&s) = back.get(n - 1 - i) {
                    Some(slice(line, s))
                } else {
                    Some(nth_plain(line, n, i))
                }
            }
            Fields::Plain { .. } => None,
            Fields::Spans(spans) => spans.get(i).map(|&s| slice(line, s)),
        }
    }
}

/// Locates the first `front` and the last `back` fields of a line of single-space separated
/// fields: one short walk from each end.
pub(super) fn locate_plain(
    line: &[u8],
    (front, back): (usize, usize),
    firsts: &mut Vec<(u32, u32)>,
    lasts: &mut Vec<(u32, u32)>,
) {
    firsts.clear();
    lasts.clear();
    let mut start = 0;
    while firsts.len() < front && start <= line.len() {
        let end = next_space(line, start).unwrap_or(line.len());
        firsts.push((start as u32, end as u32));
        start = end + 1;
    }
    let mut end = line.len();
    while lasts.len() < back {
        let start = prev_space(line, end).map_or(0, |p| p + 1);
        lasts.push((start as u32, end as u32));
        if start == 0 {
            break;
        }
        end = start - 1;
    }
}

/// Field `i` of a line of `n` fields separated by single spaces, walking from whichever end
/// of the line is nearer: the fields grouping needs (date and time at the front; status,
/// substatus, win32 and time-taken at the back) are then a few bytes away.
pub(super) fn nth_plain(line: &[u8], n: usize, i: usize) -> &[u8] {
    if i * 2 < n {
        let mut start = 0;
        for _ in 0..i {
            match next_space(line, start) {
                Some(p) => start = p + 1,
                None => return b"",
            }
        }
        let end = next_space(line, start).unwrap_or(line.len());
        &line[start..end]
    } else {
        let mut end = line.len();
        for _ in i + 1..n {
            match prev_space(line, end) {
                Some(p) => end = p,
                None => return b"",
            }
        }
        let start = prev_space(line, end).map_or(0, |p| p + 1);
        &line[start..end]
    }
}

// Eight bytes at a time: a word with 0x80 in each byte that holds a space, exactly (no
// false hits from neighbouring bytes).
const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

fn spaces_in(word: [u8; 8]) -> u64 {
    let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b' '));
    !(((x & LOW7) + LOW7) | x | LOW7)
}

/// The first space at or after `from`.
pub(super) fn next_space(line: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(word) = line.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let hits = spaces_in(word);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    line.get(i..)?
        .iter()
        .position(|&b| b == b' ')
        .map(|p| i + p)
}

/// The last space before `end`.
pub(super) fn prev_space(line: &[u8], end: usize) -> Option<usize> {
    let mut end = end.min(line.len());
    while end >= 8 {
        let Ok(word) = <[u8; 8]>::try_from(&line[end - 8..end]) else {
            break;
        };
        let hits = spaces_in(word);
        if hits != 0 {
            return Some(end - 1 - (hits.leading_zeros() / 8) as usize);
        }
        end -= 8;
    }
    line[..end].iter().rposition(|&b| b == b' ')
}

/// How many fields `split_plain` would make of a line: its spaces plus one.
pub(super) fn plain_field_count(line: &[u8]) -> usize {
    // Counting a block at a time into a byte counter lets the compiler use vector compares.
    fn block_count<const N: usize>(block: &[u8]) -> usize {
        let mut n = 0u8;
        for &b in &block[..N] {
            n += u8::from(b == b' ');
        }
        usize::from(n)
    }
    let mut count = 1;
    let mut blocks = line.chunks_exact(64);
    for block in &mut blocks {
        count += block_count::<64>(block);
    }
    let mut rest = blocks.remainder().chunks_exact(16);
    for block in &mut rest {
        count += block_count::<16>(block);
    }
    count + rest.remainder().iter().filter(|&&b| b == b' ').count()
}

pub(super) fn slice(line: &[u8], (a, b): (u32, u32)) -> &[u8] {
    line.get(a as usize..b as usize).unwrap_or_default()
}

/// Fields separated by single spaces (what IIS writes).
pub(super) fn split_plain(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut start = 0usize;
    for i in memchr::memchr_iter(b' ', line) {
        spans.push((start as u32, i as u32));
        start = i + 1;
    }
    spans.push((start as u32, line.len() as u32));
}

/// Fields separated by runs of spaces or tabs.
pub(super) fn split_folded(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut i = 0usize;
    while i < line.len() {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let start = i;
        while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
            i += 1;
        }
        spans.push((start as u32, i as u32));
    }
}

/// Fields separated by white space, where a value in double quotes may hold spaces and
/// `""` stands for a quote (IIS Advanced Logging). The span excludes the outer quotes.
pub(super) fn split_quoted(line: &[u8], spans: &mut Vec<(u32, u32)>) {
    spans.clear();
    let mut i = 0usize;
    while i < line.len() {
        while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        if line[i] == b'"' {
            let start = i + 1;
            i += 1;
            loop {
                match memchr(b'"', &line[i..]) {
                    Some(j) if line.get(i + j + 1) == Some(&b'"') => i += j + 2,
                    Some(j) => {
                        spans.push((start as u32, (i + j) as u32));
                        i += j + 1;
                        break;
                    }
                    None => {
                        spans.push((start as u32, line.len() as u32));
                        i = line.len();
                        break;
                    }
                }
            }
        } else {
            let start = i;
            while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
                i += 1;
            }
            spans.push((start as u32, i as u32));
        }
    }
}

/// A decimal number of up to 20 digits.
pub fn parse_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}
