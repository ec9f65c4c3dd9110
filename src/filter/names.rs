//! The date in a log file's name, so files outside `--since`/`--until` are left unread.

use std::path::Path;

/// The day (since the epoch) in a log file's name: `u_exYYMMDD`, `u_exYYMMDDHH`, also the
/// `nc`/`in` formats and names without the `u_` prefix.
pub fn name_day(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let rest = ["u_ex", "u_nc", "u_in", "ex", "nc", "in"]
        .iter()
        .find_map(|p| name.strip_prefix(p))?;
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if !matches!(digits_end, 6 | 8) || !rest[digits_end..].starts_with('.') {
        return None;
    }
    let d = &rest[..6];
    let date = format!("20{}-{}-{}", &d[..2], &d[2..4], &d[4..6]);
    crate::time::parse_date(date.as_bytes())
}
