//! HRESULTs in every form IIS writes them, and their Win32 meaning.
//!
//! FREB stores `ErrorCode` as a decimal u32 (`2147954402`) and renders it as text with the hex
//! value in brackets (`The operation timed out (0x80072ee2)`); detailed error pages write
//! `0x80072ee2`; W3C logs write the Win32 code in decimal. `HRESULT_FROM_WIN32(x)` is
//! `0x80070000 | x`, so a facility-7 HRESULT carries a Win32 code in its low 16 bits
//! (WinHTTP's 0x80072xxx values decode to 12xxx). Other HRESULTs (SSPI 0x8009xxxx, E_FAIL,
//! NTSTATUS 0xC...) keep their own meaning.
//!
//! A base module beside `triple` and `time`: pure value-level decoding that the FREB reader,
//! the knowledge base and the writers all need, so it imports nothing but std.

/// The Win32 code inside a facility-7 HRESULT, or `None` when `value` is not one.
pub fn win32_of(value: u64) -> Option<u64> {
    if value & 0xFFFF_0000 == 0x8007_0000 && value <= u64::from(u32::MAX) {
        Some(value & 0xFFFF)
    } else {
        None
    }
}

/// The code a `sc-win32-status` column would carry for an HRESULT: the Win32 code for a
/// facility-7 HRESULT, 0 for S_OK, the value itself otherwise.
pub fn as_win32_status(value: u64) -> u64 {
    win32_of(value).unwrap_or(value)
}

/// Reads a number as IIS writes error codes: decimal (`2147954402`), hex (`0x80072EE2`,
/// `80072ee2` with at least one hex letter is not accepted: ambiguous), or FREB's rendered
/// text, where the hex value stands in the last brackets (`Access is denied. (0x80070005)`).
pub fn parse(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Some(open) = text.rfind("(0x") {
        let inner = &text[open + 1..];
        let close = inner.find(')')?;
        return parse_hex(&inner[..close]);
    }
    if text.starts_with("0x") || text.starts_with("0X") {
        return parse_hex(text);
    }
    text.parse::<u64>().ok()
}

fn parse_hex(text: &str) -> Option<u64> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// `0x80072EE2`: the conventional way to print an HRESULT.
pub fn hex(value: u64) -> String {
    format!("0x{value:08X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_decodes_to_the_same_code() {
        for text in [
            "2147954402",
            "0x80072ee2",
            "0x80072EE2",
            "The operation timed out (0x80072ee2)",
        ] {
            let v = parse(text).unwrap();
            assert_eq!(v, 0x8007_2EE2, "{text}");
            assert_eq!(win32_of(v), Some(12002), "{text}");
        }
        assert_eq!(
            parse("The operation completed successfully. (0x0)"),
            Some(0)
        );
        assert_eq!(
            parse("Access is denied. (0x80070005)").and_then(win32_of),
            Some(5)
        );
    }

    #[test]
    fn other_facilities_keep_their_value() {
        assert_eq!(win32_of(0x8009_030E), None);
        assert_eq!(as_win32_status(0x8009_030E), 2_148_074_254);
        assert_eq!(win32_of(0x8000_4005), None);
        assert_eq!(win32_of(0xC000_0135), None);
        assert_eq!(as_win32_status(0), 0);
        assert_eq!(parse("not a code"), None);
        assert_eq!(parse("(0xZZ)"), None);
    }
}
