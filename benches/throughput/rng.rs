//! A small, fast random number generator (wyrand) with the draws the generators need.
//!
//! Written out here rather than taken from a crate so that a seed gives the same logs on
//! every machine and every crate version: cached bench data and the counts checked against
//! `iisdiag scan` stay valid.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        rng.next();
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xA076_1D64_78BD_642F);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xE703_7ED1_A0B4_28DB);
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// A uniform value in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An exponentially distributed value with this mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index into `0..n` skewed towards the start (a few clients and URLs make most traffic).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * u) * n as f64) as usize % n.max(1)
    }
}

/// Items drawn by weight.
pub struct Weighted<T> {
    items: Vec<(u64, T)>,
    total: u64,
}

impl<T> Weighted<T> {
    pub fn new(items: impl IntoIterator<Item = (u64, T)>) -> Weighted<T> {
        let mut total = 0;
        let items = items
            .into_iter()
            .map(|(w, t)| {
                total += w;
                (total, t)
            })
            .collect();
        Weighted { items, total }
    }

    pub fn index(&self, rng: &mut Rng) -> usize {
        let x = rng.below(self.total);
        self.items.iter().position(|(c, _)| x < *c).unwrap_or(0)
    }

    pub fn get(&self, i: usize) -> &T {
        &self.items[i].1
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }
}

/// Appends a decimal number.
pub fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends a number of exactly `width` digits, zero-padded.
pub fn push_padded(buf: &mut Vec<u8>, n: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut n = n;
    for slot in tmp[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    buf.extend_from_slice(&tmp[..width]);
}

/// Appends a lower-case hex string of `digits` random digits.
pub fn push_hex(buf: &mut Vec<u8>, rng: &mut Rng, digits: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bits = rng.next();
    for i in 0..digits {
        if i % 16 == 15 {
            bits = rng.next();
        }
        buf.push(HEX[(bits & 15) as usize]);
        bits >>= 4;
    }
}

/// Calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a calendar date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Appends `YYYY-MM-DD HH:MM:SS` for a time in milliseconds since the epoch.
pub fn push_datetime(buf: &mut Vec<u8>, ms: i64, sep: u8) {
    let (y, m, d) = civil(ms.div_euclid(86_400_000));
    let s = ms.rem_euclid(86_400_000) / 1000;
    push_padded(buf, y as u64, 4);
    buf.push(b'-');
    push_padded(buf, u64::from(m), 2);
    buf.push(b'-');
    push_padded(buf, u64::from(d), 2);
    buf.push(sep);
    push_padded(buf, (s / 3600) as u64, 2);
    buf.push(b':');
    push_padded(buf, (s / 60 % 60) as u64, 2);
    buf.push(b':');
    push_padded(buf, (s % 60) as u64, 2);
}
