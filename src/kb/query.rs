//! What a person may type to `iisdiag explain`: a status code, a win32 or HRESULT value in
//! any form IIS writes it, a symbolic name, an HTTP.sys reason phrase, or a Windows event.

use crate::hresult;
use crate::triple::Code;

/// A parsed `explain` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `502`, `502.3`, `502.3.12002`. A bare three-digit number is also tried as a win32 value.
    Code(Code),
    /// A win32, Winsock, WinHTTP, SSPI or NTSTATUS value, or an HRESULT (hex, decimal or FREB text).
    Value(u64),
    /// A symbolic name (`ERROR_WINHTTP_TIMEOUT`) or HTTP.sys reason (`AppOffline`).
    Name(String),
    /// A Windows event: `WAS/5002`, `"WAS 5002"`, `Microsoft-Windows-WAS/5002`.
    Event { provider: String, id: u32 },
}

/// The forms `explain` accepts, for error messages.
pub const FORMS: &str = "a status code (502, 502.3, 502.3.12002), a win32 or HRESULT value \
(12002, 0x80072ee2, 2147954402, -532462766, \"The operation timed out (0x80072ee2)\"), a symbolic name \
(ERROR_WINHTTP_TIMEOUT), an HTTP.sys reason (AppOffline) or a Windows event as PROVIDER/ID \
(WAS/5002, \"Application Error/1000\")";

/// Reads an `explain` argument.
pub fn parse(text: &str) -> Result<Query, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("nothing to explain: give {FORMS}"));
    }
    if t.contains('.') && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return t
            .parse::<Code>()
            .map(Query::Code)
            .map_err(|e| e.to_string());
    }
    // A negative decimal: a 32-bit exit or exception code as the ASP.NET Core Module and
    // `echo %ERRORLEVEL%` print it (-532462766 is 0xE0434352).
    if let Some(digits) = t.strip_prefix('-') {
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return match t.parse::<i32>() {
                Ok(n) => Ok(Query::Value(u64::from(n as u32))),
                Err(_) => Err(format!(
                    "`{t}` is below -2147483648: not a 32-bit code; give {FORMS}"
                )),
            };
        }
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return match t.parse::<u64>() {
            Ok(n) if (100..600).contains(&n) && t.len() == 3 => t
                .parse::<Code>()
                .map(Query::Code)
                .map_err(|e| e.to_string()),
            Ok(n) => Ok(Query::Value(n)),
            Err(_) => Err(format!("`{t}` is too large to be a code: give {FORMS}")),
        };
    }
    if let Some(q) = event(t) {
        return q;
    }
    if t.starts_with("0x") || t.starts_with("0X") || t.contains("(0x") {
        return hresult::parse(t)
            .map(Query::Value)
            .ok_or_else(|| format!("`{t}` is not a hexadecimal value: give {FORMS}"));
    }
    if t.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_/-".contains(c))
    {
        return Ok(Query::Name(t.to_string()));
    }
    Err(format!("cannot read `{t}`: give {FORMS}"))
}

/// `PROVIDER/ID` or `PROVIDER ID`: a provider name holding a letter, then a decimal event id.
/// `Version_N/S` (no digits after the slash) stays a name, and `502/3` (no letter) is no event.
fn event(t: &str) -> Option<Result<Query, String>> {
    let cut = t.rfind(['/', ' '])?;
    let (provider, id) = (t[..cut].trim(), &t[cut + 1..]);
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !provider.chars().any(|c| c.is_alphabetic()) || provider.contains("(0x") {
        return None;
    }
    Some(match id.parse::<u32>() {
        Ok(id) => Ok(Query::Event {
            provider: provider.to_string(),
            id,
        }),
        Err(_) => Err(format!(
            "`{id}` is too large to be an event id; give {FORMS}"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form() {
        let code = |s: &str| Query::Code(s.parse().unwrap());
        assert_eq!(parse("502.3.12002"), Ok(code("502.3.12002")));
        assert_eq!(parse("502.3"), Ok(code("502.3")));
        assert_eq!(parse("404"), Ok(code("404")));
        assert_eq!(parse("12002"), Ok(Query::Value(12002)));
        assert_eq!(parse("64"), Ok(Query::Value(64)));
        assert_eq!(parse("0x80072ee2"), Ok(Query::Value(0x8007_2EE2)));
        assert_eq!(parse("-532462766"), Ok(Query::Value(0xE043_4352)));
        assert_eq!(parse("-2147450730"), Ok(Query::Value(0x8000_8096)));
        assert!(parse("-99999999999").is_err());
        assert_eq!(parse("2147954402"), Ok(Query::Value(2_147_954_402)));
        assert_eq!(
            parse("The operation timed out (0x80072ee2)"),
            Ok(Query::Value(0x8007_2EE2))
        );
        assert_eq!(parse("AppOffline"), Ok(Query::Name("AppOffline".into())));
        assert_eq!(parse("Version_N/S"), Ok(Query::Name("Version_N/S".into())));
    }

    #[test]
    fn events_by_provider_and_id() {
        let ev = |p: &str, id| {
            Ok(Query::Event {
                provider: p.into(),
                id,
            })
        };
        assert_eq!(parse("WAS/5002"), ev("WAS", 5002));
        assert_eq!(parse("WAS 5011"), ev("WAS", 5011));
        assert_eq!(parse(" WAS  5011 "), ev("WAS", 5011));
        assert_eq!(
            parse("Microsoft-Windows-WAS/5002"),
            ev("Microsoft-Windows-WAS", 5002)
        );
        assert_eq!(
            parse("Application Error/1000"),
            ev("Application Error", 1000)
        );
        assert_eq!(parse(".NET Runtime/1026"), ev(".NET Runtime", 1026));
        assert_eq!(
            parse("IIS AspNetCore Module V2/1031"),
            ev("IIS AspNetCore Module V2", 1031)
        );
        // The other forms are unchanged.
        assert_eq!(parse("502.3"), Ok(Query::Code("502.3".parse().unwrap())));
        assert_eq!(parse("AppOffline"), Ok(Query::Name("AppOffline".into())));
        assert_eq!(parse("Version_N/S"), Ok(Query::Name("Version_N/S".into())));
        assert!(!matches!(parse("502/3"), Ok(Query::Event { .. })));
        assert!(parse("WAS/99999999999").is_err());
    }

    #[test]
    fn bad_input_names_the_forms() {
        for bad in [
            "",
            "502.x",
            "0xZZ",
            "what is this?",
            "99999999999999999999999",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("502") || e.contains("status code"), "{bad}: {e}");
        }
    }
}
