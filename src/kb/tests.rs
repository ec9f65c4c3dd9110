//! Table-driven tests over the built-in knowledge base: it loads, every entry is complete and
//! referenced, the codes of the fact sheet are covered, and lookups pick the right entry.

use std::collections::HashMap;

use super::*;
use crate::triple::{Code, Triple};

fn kb() -> &'static Kb {
    Kb::builtin()
}

fn triple(code: &str) -> Triple {
    let c: Code = code.parse().unwrap_or_else(|e| panic!("{code}: {e}"));
    Triple::new(c.status, c.substatus, c.win32)
}

fn explain(code: &str, module: Option<&str>) -> Explanation<'static> {
    kb().explain(&triple(code), module, &[])
}

/// Every status.substatus of section 1 of the fact sheet (1.1 to 1.9).
const SUBSTATUS_CODES: &[&str] = &[
    // 1.1 400
    "400.0", "400.1", "400.2", "400.3", "400.4", "400.5", "400.6", "400.7", "400.8", "400.9",
    "400.10", "400.11", "400.601", "400.602", "400.603", "400.604", "400.605", "400.606",
    // 1.2 401
    "401.0", "401.1", "401.2", "401.3", "401.4", "401.5", "401.501", "401.502", "401.503",
    "401.504", // 1.3 403
    "403.1", "403.2", "403.3", "403.4", "403.5", "403.6", "403.7", "403.8", "403.9", "403.10",
    "403.11", "403.12", "403.13", "403.14", "403.15", "403.16", "403.17", "403.18", "403.19",
    "403.20", "403.21", "403.22", "403.501", "403.502", "403.503", "403.504",
    // 1.4 404
    "404.0", "404.1", "404.2", "404.3", "404.4", "404.5", "404.6", "404.7", "404.8", "404.9",
    "404.10", "404.11", "404.12", "404.13", "404.14", "404.15", "404.16", "404.17", "404.18",
    "404.19", "404.20", "404.501", "404.502", "404.503", "404.504", // 1.5 other 4xx
    "405.0", "406.0", "412.0", "413.0", "413.1", // 1.6 500
    "500.0", "500.11", "500.12", "500.13", "500.15", "500.19", "500.21", "500.22", "500.23",
    "500.24", "500.30", "500.31", "500.32", "500.33", "500.34", "500.35", "500.36", "500.37",
    "500.38", "500.50", "500.51", "500.52", "500.53", "500.100", "501.0", // 1.7 502
    "502.1", "502.2", "502.3", "502.4", "502.5", "502.6", "502.7", // 1.8 503
    "503.0", "503.2", "503.3", "503.4", // 1.9 success codes
    "200.501", "200.502",
];

/// Bare statuses: the fallback when the substatus is unknown or not logged.
const STATUS_CODES: &[&str] = &[
    "200", "206", "304", "400", "401", "403", "404", "405", "406", "408", "411", "412", "413",
    "414", "415", "429", "431", "500", "501", "502", "503", "504", "505",
];

/// The well-known triples of section 5 that are real triples, with the module FREB would
/// name where the entry is module-specific only.
const TRIPLES: &[(&str, Option<&str>)] = &[
    ("502.3.12002", None),
    ("502.3.12002", Some("ApplicationRequestRouting")),
    ("502.3.12002", Some("AspNetCoreModuleV2")),
    ("502.3.12029", None),
    ("502.3.12030", None),
    ("502.3.12152", None),
    ("502.3.12175", None),
    ("502.3.12157", None),
    ("502.3.12007", None),
    ("502.3.64", None),
    ("502.3.64", Some("AspNetCoreModuleV2")),
    ("502.3.1229", Some("AspNetCoreModuleV2")),
    ("502.3.87", Some("AspNetCoreModuleV2")),
    ("502.4.0", None),
    ("500.19.13", None),
    ("500.19.33", None),
    ("500.19.5", None),
    ("500.19.183", None),
    ("500.19.126", None),
    ("500.19.193", None),
    ("500.19.267", None),
    ("500.19.1326", None),
    ("500.19.3", None),
    ("500.19.64", None),
    ("500.21.0", None),
    ("500.0.13", None),
    ("500.0.50", None),
    ("500.0.53", None),
    ("500.0.193", None),
    ("500.0.127", None),
    ("404.0.2", None),
    ("404.0.3", None),
    ("404.2.1260", None),
    ("404.3.50", None),
    ("404.7.0", None),
    ("404.11.0", None),
    ("404.13.0", None),
    ("413.1.0", None),
    ("404.14.0", None),
    ("404.15.0", None),
    ("405.0.1", None),
    ("403.14.0", None),
    ("401.2.5", None),
    ("401.1.2148074254", None),
    ("401.1.2148074248", None),
    ("401.1.1326", None),
    ("401.3.5", None),
    ("503.2.0", None),
    ("200.0.64", None),
    ("200.0.995", None),
    ("206.0.995", None),
    ("206.0.64", None),
    ("200.0.1236", None),
];

/// Section 5 rows that map to substatus-level entries, with the module that carries the
/// row's cause where the meaning depends on it.
const SUBSTATUS_ROWS: &[(&str, Option<&str>)] = &[
    ("502.5", Some("AspNetCoreModuleV2")),
    ("502.2", Some("CgiModule")),
    ("500.22", None),
    ("500.23", None),
    ("500.24", None),
    ("500.0", Some("AspNetCoreModuleV2")),
    ("500.0", Some("FastCgiModule")),
    ("500.30", None),
    ("500.31", None),
    ("500.32", None),
    ("500.34", None),
    ("500.35", None),
    ("500.37", None),
    ("500.50", None),
    ("500.52", None),
    ("403.18", None),
    ("403.501", None),
    ("403.502", None),
    ("200.501", None),
    ("200.502", None),
    ("503.0", None),
    ("503.4", None),
];

/// Every code of sections 2.1 to 2.4 and the non-Win32 values of section 3.
const WIN32_CODES: &[(u64, &str)] = &[
    // 2.1 system
    (0, "ERROR_SUCCESS"),
    (1, "ERROR_INVALID_FUNCTION"),
    (2, "ERROR_FILE_NOT_FOUND"),
    (3, "ERROR_PATH_NOT_FOUND"),
    (5, "ERROR_ACCESS_DENIED"),
    (13, "ERROR_INVALID_DATA"),
    (33, "ERROR_LOCK_VIOLATION"),
    (50, "ERROR_NOT_SUPPORTED"),
    (53, "ERROR_BAD_NETPATH"),
    (64, "ERROR_NETNAME_DELETED"),
    (87, "ERROR_INVALID_PARAMETER"),
    (121, "ERROR_SEM_TIMEOUT"),
    (126, "ERROR_MOD_NOT_FOUND"),
    (127, "ERROR_PROC_NOT_FOUND"),
    (183, "ERROR_ALREADY_EXISTS"),
    (193, "ERROR_BAD_EXE_FORMAT"),
    (258, "WAIT_TIMEOUT"),
    (267, "ERROR_DIRECTORY"),
    (433, "ERROR_NO_SUCH_DEVICE"),
    (574, "ERROR_UNHANDLED_EXCEPTION"),
    (995, "ERROR_OPERATION_ABORTED"),
    (1001, "ERROR_STACK_OVERFLOW"),
    (1229, "ERROR_CONNECTION_INVALID"),
    (1236, "ERROR_CONNECTION_ABORTED"),
    (1260, "ERROR_ACCESS_DISABLED_BY_POLICY"),
    (1326, "ERROR_LOGON_FAILURE"),
    (1460, "ERROR_TIMEOUT"),
    // 2.2 Winsock
    (10053, "WSAECONNABORTED"),
    (10054, "WSAECONNRESET"),
    (10060, "WSAETIMEDOUT"),
    (10061, "WSAECONNREFUSED"),
    (10065, "WSAEHOSTUNREACH"),
    // 2.3 WinHTTP (and WinINet's 12031)
    (12001, "ERROR_WINHTTP_OUT_OF_HANDLES"),
    (12002, "ERROR_WINHTTP_TIMEOUT"),
    (12004, "ERROR_WINHTTP_INTERNAL_ERROR"),
    (12005, "ERROR_WINHTTP_INVALID_URL"),
    (12006, "ERROR_WINHTTP_UNRECOGNIZED_SCHEME"),
    (12007, "ERROR_WINHTTP_NAME_NOT_RESOLVED"),
    (12017, "ERROR_WINHTTP_OPERATION_CANCELLED"),
    (12029, "ERROR_WINHTTP_CANNOT_CONNECT"),
    (12030, "ERROR_WINHTTP_CONNECTION_ERROR"),
    (12031, "ERROR_INTERNET_CONNECTION_RESET"),
    (12032, "ERROR_WINHTTP_RESEND_REQUEST"),
    (12037, "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID"),
    (12038, "ERROR_WINHTTP_SECURE_CERT_CN_INVALID"),
    (12044, "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED"),
    (12045, "ERROR_WINHTTP_SECURE_INVALID_CA"),
    (12057, "ERROR_WINHTTP_SECURE_CERT_REV_FAILED"),
    (12152, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE"),
    (12156, "ERROR_WINHTTP_REDIRECT_FAILED"),
    (12157, "ERROR_WINHTTP_SECURE_CHANNEL_ERROR"),
    (12166, "ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT"),
    (12167, "ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT"),
    (12169, "ERROR_WINHTTP_SECURE_INVALID_CERT"),
    (12170, "ERROR_WINHTTP_SECURE_CERT_REVOKED"),
    (12175, "ERROR_WINHTTP_SECURE_FAILURE"),
    (12176, "ERROR_WINHTTP_UNHANDLED_SCRIPT_TYPE"),
    (12177, "ERROR_WINHTTP_SCRIPT_EXECUTION_ERROR"),
    (12178, "ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR"),
    (12179, "ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE"),
    (12180, "ERROR_WINHTTP_AUTODETECTION_FAILED"),
    (12181, "ERROR_WINHTTP_HEADER_COUNT_EXCEEDED"),
    (12182, "ERROR_WINHTTP_HEADER_SIZE_OVERFLOW"),
    (12183, "ERROR_WINHTTP_CHUNKED_ENCODING_HEADER_SIZE_OVERFLOW"),
    (12184, "ERROR_WINHTTP_RESPONSE_DRAIN_OVERFLOW"),
    (12185, "ERROR_WINHTTP_CLIENT_CERT_NO_PRIVATE_KEY"),
    (12186, "ERROR_WINHTTP_CLIENT_CERT_NO_ACCESS_PRIVATE_KEY"),
    // 2.4 SSPI, logged as decimal HRESULTs
    (2_148_074_248, "SEC_E_INVALID_TOKEN"),
    (2_148_074_252, "SEC_E_LOGON_DENIED"),
    (2_148_074_254, "SEC_E_NO_CREDENTIALS"),
    // 3: HRESULTs and NTSTATUS values that are not Win32 codes
    (0x8000_4005, "E_FAIL"),
    (0x8000_FFFF, "E_UNEXPECTED"),
    (0x8000_8081, "InvalidArgFailure (.NET host)"),
    (0xE043_4352, "CLR exception (0xE0434352)"),
    (0xC000_00FD, "STATUS_STACK_OVERFLOW"),
    (3_221_225_781, "STATUS_DLL_NOT_FOUND"),
];

/// Every s-reason of section 4.2.
const REASONS: &[&str] = &[
    "AppOffline",
    "AppPoolTimer",
    "AppShutdown",
    "BadRequest",
    "Client_Reset",
    "Connection_Abandoned_By_AppPool",
    "Connection_Abandoned_By_ReqQueue",
    "Connection_Dropped",
    "Connection_Dropped_List_Full",
    "ConnLimit",
    "Connections_Refused",
    "Disabled",
    "EntityTooLarge",
    "FieldLength",
    "Forbidden",
    "Header",
    "Hostname",
    "Internal",
    "Invalid_CR/LF",
    "LengthRequired",
    "N/A",
    "N/I",
    "Number",
    "Precondition",
    "QueueFull",
    "RequestLength",
    "Timer_AppPool",
    "Timer_ConnectionIdle",
    "Timer_EntityBody",
    "Timer_HeaderWait",
    "Timer_MinBytesPerSecond",
    "Timer_ReqQueue",
    "Timer_Response",
    "Timer_SslRenegotiation",
    "URL",
    "URL_Length",
    "Verb",
    "Version_N/S",
];

fn assert_refs(what: &str, refs: &[String]) {
    assert!(!refs.is_empty(), "{what}: no references");
    for r in refs {
        let url = kb().source_url(r);
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{what}: reference `{r}` does not resolve to a URL"
        );
    }
}

fn assert_prose(what: &str, text: &str) {
    assert!(!text.trim().is_empty(), "{what}: empty text");
    for marker in ["TODO", "TBD", "FIXME", "XXX", "lorem"] {
        assert!(
            !text.contains(marker),
            "{what}: placeholder `{marker}` in {text:?}"
        );
    }
}

#[test]
fn builtin_kb_loads() {
    let kb = kb();
    assert!(kb.code_entries().len() > 150);
    assert!(kb.win32_entries().len() > 80);
    assert!(kb.reason_entries().len() >= REASONS.len());
    assert!(!kb.timeouts().is_empty());
}

#[test]
fn every_code_entry_is_complete_and_referenced() {
    for e in kb().code_entries() {
        let what = match &e.module {
            Some(m) => format!("{} ({m})", e.code),
            None => e.code.clone(),
        };
        assert_prose(&what, &e.title);
        assert_prose(&what, &e.cause);
        assert!(!e.checks.is_empty(), "{what}: no checks");
        for c in &e.checks {
            assert_prose(&what, c);
        }
        assert_refs(&what, &e.refs);
        assert!(
            e.url.is_none(),
            "{what}: built-in entries are not URL-scoped"
        );
    }
}

#[test]
fn every_win32_reason_and_timeout_entry_is_referenced() {
    for e in kb().win32_entries() {
        let what = format!("win32 {}", e.code);
        assert_prose(&what, &e.name);
        assert_prose(&what, &e.meaning);
        assert_prose(&what, &e.iis);
        assert_refs(&what, &e.refs);
    }
    for e in kb().reason_entries() {
        let what = format!("reason {}", e.reason);
        assert_prose(&what, &e.title);
        assert_prose(&what, &e.cause);
        assert!(!e.checks.is_empty(), "{what}: no checks");
        assert_refs(&what, &e.refs);
    }
    for t in kb().timeouts() {
        assert_refs(&t.name, &t.refs);
        assert_prose(&t.name, &t.setting);
    }
}

#[test]
fn every_source_is_a_url() {
    for (id, url) in kb().sources() {
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "{id}: {url}"
        );
    }
}

#[test]
fn no_cause_is_copied_between_distinct_codes() {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for e in kb().code_entries() {
        if let Some(other) = seen.insert(e.cause.as_str(), e.code.as_str()) {
            assert_eq!(
                other, e.code,
                "the same cause is used for {other} and {}",
                e.code
            );
        }
    }
}

#[test]
fn every_substatus_of_the_fact_sheet_has_an_entry() {
    for code in SUBSTATUS_CODES {
        let x = explain(code, None);
        assert_eq!(x.specificity, Some(Specificity::Substatus), "{code}");
        let entry = x.entry.unwrap_or_else(|| panic!("{code}: no entry"));
        assert_eq!(&entry.code, code);
        assert!(
            entry.module.is_none(),
            "{code}: the fallback must be the general entry"
        );
    }
}

#[test]
fn every_status_has_a_general_fallback() {
    for code in STATUS_CODES {
        let x = explain(code, None);
        assert_eq!(x.specificity, Some(Specificity::Status), "{code}");
        assert_eq!(x.entry.map(|e| e.code.as_str()), Some(*code));
    }
}

#[test]
fn every_well_known_triple_resolves_to_its_own_entry() {
    for (code, module) in TRIPLES {
        let x = explain(code, *module);
        assert_eq!(
            x.specificity,
            Some(Specificity::Triple),
            "{code} {module:?}"
        );
        let entry = x.entry.unwrap_or_else(|| panic!("{code}: no entry"));
        assert_eq!(&entry.code, code);
        assert!(
            x.code_entry.is_some(),
            "{code}: the substatus or status is not named"
        );
    }
}

#[test]
fn substatus_rows_of_section_5_pick_the_module_entry() {
    for (code, module) in SUBSTATUS_ROWS {
        let x = explain(code, *module);
        assert_eq!(x.specificity, Some(Specificity::Substatus), "{code}");
        let entry = x.entry.unwrap_or_else(|| panic!("{code}: no entry"));
        if let Some(m) = module {
            let want = entry
                .module
                .as_deref()
                .unwrap_or_else(|| panic!("{code}: not {m}"));
            assert!(m.to_ascii_lowercase().contains(&want.to_ascii_lowercase()));
        }
    }
}

#[test]
fn module_specific_entries_have_a_general_sibling() {
    // Without FREB there is no module evidence, so every status or substatus that has a
    // module-specific reading must also have a general one. Three triples are readings of
    // FREB ErrorCodes only and need no general entry (500.0.0 from the ASP.NET Core Module is
    // its ErrorCode 0; without a trace, 500.0 says what a 500.0.0 is).
    let module_only = ["502.3.1229", "502.3.87", "500.0.0"];
    for e in kb().code_entries().iter().filter(|e| e.module.is_some()) {
        if module_only.contains(&e.code.as_str()) {
            continue;
        }
        let general = kb().explain(&triple(&e.code), None, &[]).entry;
        assert!(
            general.is_some_and(|g| g.code == e.code && g.module.is_none()),
            "{} ({:?}) has no general entry",
            e.code,
            e.module
        );
    }
}

#[test]
fn lookups_pick_the_most_specific_entry() {
    let cases: &[(&str, Option<Specificity>, Option<&str>)] = &[
        (
            "502.3.12002",
            Some(Specificity::Triple),
            Some("502.3.12002"),
        ),
        ("502.3.99999", Some(Specificity::Substatus), Some("502.3")),
        ("502.77.0", Some(Specificity::Status), Some("502")),
        ("404.0.2", Some(Specificity::Triple), Some("404.0.2")),
        ("404.0.9999", Some(Specificity::Substatus), Some("404.0")),
        ("500.19.64", Some(Specificity::Triple), Some("500.19.64")),
        ("799.0.0", None, None),
    ];
    for (code, specificity, entry) in cases {
        let x = explain(code, None);
        assert_eq!(x.specificity, *specificity, "{code}");
        assert_eq!(x.entry.map(|e| e.code.as_str()), *entry, "{code}");
    }
    // The triple entry still names its substatus.
    let x = explain("502.3.12002", None);
    assert_eq!(x.code_entry.map(|e| e.code.as_str()), Some("502.3"));
    assert_eq!(
        x.win32.map(|w| w.name.as_str()),
        Some("ERROR_WINHTTP_TIMEOUT")
    );
}

#[test]
fn module_evidence_picks_the_module_entry() {
    let cases: &[(&str, Option<&str>, Option<&str>)] = &[
        ("502.3", None, None),
        (
            "502.3",
            Some("AspNetCoreModuleV2"),
            Some("AspNetCoreModule"),
        ),
        (
            "502.3",
            Some("ApplicationRequestRouting"),
            Some("ApplicationRequestRouting"),
        ),
        ("502.3", Some("SomeOtherModule"), None),
        ("502.3.12002", None, None),
        (
            "502.3.12002",
            Some("AspNetCoreModuleV2"),
            Some("AspNetCoreModule"),
        ),
        (
            "502.3.12002",
            Some("ApplicationRequestRouting"),
            Some("ApplicationRequestRouting"),
        ),
        ("502.2", Some("CgiModule"), Some("CgiModule")),
        (
            "502.2",
            Some("ApplicationRequestRouting"),
            Some("ApplicationRequestRouting"),
        ),
        (
            "502.5",
            Some("AspNetCoreModuleV2"),
            Some("AspNetCoreModule"),
        ),
        (
            "502.5",
            Some("ApplicationRequestRouting"),
            Some("ApplicationRequestRouting"),
        ),
        (
            "500.0",
            Some("ManagedPipelineHandler"),
            Some("ManagedPipelineHandler"),
        ),
        ("500.0", Some("FastCgiModule"), Some("FastCgiModule")),
        (
            "500.0",
            Some("AspNetCoreModuleV2"),
            Some("AspNetCoreModuleV2"),
        ),
        // ANCM V1 has no in-process hosting, so no in-process handler load failure.
        ("500.0", Some("AspNetCoreModule"), None),
        ("500.0", Some("IsapiModule"), Some("IsapiModule")),
        ("500.0", Some("RewriteModule"), Some("RewriteModule")),
        ("500.0", None, None),
    ];
    for (code, module, want) in cases {
        let x = explain(code, *module);
        let entry = x
            .entry
            .unwrap_or_else(|| panic!("{code} {module:?}: no entry"));
        assert_eq!(entry.code, *code, "{code} {module:?}");
        assert_eq!(entry.module.as_deref(), *want, "{code} {module:?}");
    }
}

#[test]
fn benign_flags() {
    let benign = [
        "401.2.5",
        "401.1.2148074254",
        "200.0.64",
        "200.0.995",
        "206.0.995",
        "206.0.64",
        "304.0.64",
        "500.19.64",
        "200.501",
        "200.502",
    ];
    for code in benign {
        let entry = explain(code, None)
            .entry
            .unwrap_or_else(|| panic!("{code}: no entry"));
        assert!(entry.benign, "{code} should be benign");
    }
    let faults = [
        "500.19.13",
        "500.19",
        "502.3.12002",
        "401.1.2148074248",
        "401.1.1326",
        "503.0",
        "200.0.1236",
    ];
    for code in faults {
        let entry = explain(code, None)
            .entry
            .unwrap_or_else(|| panic!("{code}: no entry"));
        assert!(!entry.benign, "{code} should not be benign");
    }
    // 500.19.64 is a disconnect, and says so.
    let e = explain("500.19.64", None)
        .entry
        .map(|e| e.title.to_ascii_lowercase());
    assert!(e.is_some_and(|t| t.contains("not a configuration error")));
}

#[test]
fn every_win32_code_of_the_fact_sheet_has_an_entry() {
    for (code, name) in WIN32_CODES {
        let e = kb()
            .win32(*code)
            .unwrap_or_else(|| panic!("win32 {code}: no entry"));
        assert_eq!(e.name, *name, "win32 {code}");
        assert_eq!(e.code, *code);
    }
}

#[test]
fn hresults_decode_to_their_win32_entry() {
    let cases: &[(u64, &str)] = &[
        (2_147_954_402, "ERROR_WINHTTP_TIMEOUT"),
        (0x8007_2EFD, "ERROR_WINHTTP_CANNOT_CONNECT"),
        (0x8007_2F78, "ERROR_WINHTTP_INVALID_SERVER_RESPONSE"),
        (0x8007_04CD, "ERROR_CONNECTION_INVALID"),
        (0x8007_000D, "ERROR_INVALID_DATA"),
        (0x8007_01B1, "ERROR_NO_SUCH_DEVICE"),
        (0x8009_030E, "SEC_E_NO_CREDENTIALS"),
        (0x8009_0308, "SEC_E_INVALID_TOKEN"),
        (0xC000_0135, "STATUS_DLL_NOT_FOUND"),
    ];
    for (value, name) in cases {
        let e = kb()
            .win32(*value)
            .unwrap_or_else(|| panic!("{value:#x}: no entry"));
        assert_eq!(e.name, *name, "{value:#x}");
    }
    assert!(kb().win32(0x8009_0399).is_none());
}

#[test]
fn win32_kinds_match_their_ranges() {
    for e in kb().win32_entries() {
        let expected = match e.code {
            10_000..=11_999 => "winsock",
            12_000..=12_999 => "winhttp",
            0x8009_0000..=0x8009_FFFF => "sspi",
            // Failure HRESULTs of any facility (0x8013xxxx is the .NET runtime's).
            0x8000_0000..=0xBFFF_FFFF => "hresult",
            0xC000_0000..=0xFFFF_FFFF => "ntstatus",
            _ => "system",
        };
        assert_eq!(e.kind, expected, "win32 {} ({})", e.code, e.name);
    }
}

#[test]
fn every_reason_resolves_case_insensitively() {
    for reason in REASONS {
        for spelling in [
            reason.to_string(),
            reason.to_ascii_lowercase(),
            reason.to_ascii_uppercase(),
        ] {
            let e = kb()
                .reason(&spelling)
                .unwrap_or_else(|| panic!("s-reason {spelling}: no entry"));
            assert_eq!(e.reason, *reason);
        }
    }
    assert!(kb().reason("NoSuchReason").is_none());
}

#[test]
fn reason_statuses_and_benign_flags() {
    let cases: &[(&str, &str, bool)] = &[
        ("AppOffline", "503", false),
        ("QueueFull", "503", false),
        ("FieldLength", "400", false),
        ("RequestLength", "400", false),
        ("Version_N/S", "505", false),
        ("N/I", "501", false),
        ("Connection_Abandoned_By_ReqQueue", "-", false),
        ("Timer_ConnectionIdle", "-", true),
        ("Client_Reset", "-", true),
        ("Connection_Dropped", "-", true),
    ];
    for (reason, status, benign) in cases {
        let e = kb()
            .reason(reason)
            .unwrap_or_else(|| panic!("{reason}: no entry"));
        assert_eq!(e.status, *status, "{reason}");
        assert_eq!(e.benign, *benign, "{reason}");
    }
    // AppOffline walks the admin from the stopped pool to the crash behind it.
    let checks = kb()
        .reason("AppOffline")
        .map(|e| e.checks.join(" "))
        .unwrap_or_default();
    for needle in ["Rapid-Fail", "5002", "5057", "1000", "1026", "start"] {
        assert!(checks.contains(needle), "AppOffline checks lack {needle}");
    }
}

#[test]
fn arr_timeout_checks_come_in_order() {
    let entry = explain("502.3.12002", Some("ApplicationRequestRouting"))
        .entry
        .unwrap_or_else(|| panic!("no ARR entry"));
    let checks = entry.checks.join("\n");
    let order = [
        "30 s",
        "ARR_SERVER_ROUTED",
        "200.0.64",
        "netsh trace start scenario=internetclient",
        "very unlikely to be IIS",
        "procdump -ma",
        ".Result",
        "HttpClient",
        "MaxConnectionsPerServer",
        "raise the timeout",
    ];
    let mut at = 0;
    for needle in order {
        let found = checks[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing or out of order"));
        at += found;
    }
}

#[test]
fn every_timeout_explains_codes_that_have_entries() {
    for t in kb().timeouts() {
        assert!(t.seconds > 0.0, "{}", t.name);
        assert!(!t.codes.is_empty(), "{}: no codes", t.name);
        for code in &t.codes {
            let c: Code = code.parse().unwrap_or_else(|e| panic!("{}: {e}", t.name));
            let x = kb().explain(
                &Triple::new(c.status, c.substatus, None),
                t.module.as_deref(),
                &[],
            );
            let entry = x
                .entry
                .unwrap_or_else(|| panic!("{}: {code} has no entry", t.name));
            assert_eq!(&entry.code, code, "{}", t.name);
        }
    }
    let named: Vec<(f64, Option<&str>)> = kb()
        .timeouts()
        .iter()
        .map(|t| (t.seconds, t.module.as_deref()))
        .collect();
    for want in [
        (30.0, Some("ApplicationRequestRouting")),
        (120.0, Some("AspNetCoreModule")),
        (90.0, Some("FastCgiModule")),
        (70.0, Some("FastCgiModule")),
        (30.0, Some("FastCgiModule")),
    ] {
        assert!(named.contains(&want), "missing timeout {want:?}");
    }
}

#[test]
fn module_names_match_exactly_or_with_a_version_suffix() {
    use crate::kb::module_matches;
    assert!(module_matches("AspNetCoreModule", "AspNetCoreModuleV2"));
    assert!(module_matches("AspNetCoreModule", "aspnetcoremodule"));
    assert!(module_matches(
        "ApplicationRequestRouting",
        "ApplicationRequestRouting"
    ));
    assert!(!module_matches("CgiModule", "FastCgiModule"));
    assert!(!module_matches("AspNetCoreModule", "AspNetCoreModuleX"));
    assert!(!module_matches("IsapiModule", "IsapiFilterModule"));
}

#[test]
fn every_event_entry_is_complete_and_referenced() {
    let kb = kb();
    assert!(
        kb.event_entries().len() >= 50,
        "{}",
        kb.event_entries().len()
    );
    for e in kb.event_entries() {
        let at = format!("{}/{}", e.provider, e.id);
        assert!(!e.title.trim().is_empty(), "{at}: title");
        assert!(!e.cause.trim().is_empty(), "{at}: cause");
        assert!(!e.checks.is_empty(), "{at}: checks");
        assert!(!e.fields.is_empty(), "{at}: fields");
        assert!(!e.refs.is_empty(), "{at}: refs");
        assert!(EVENT_ROLES.contains(&e.role.as_str()), "{at}: {}", e.role);
        for r in &e.refs {
            assert!(kb.source_url(r).starts_with("http"), "{at}: {r}");
        }
    }
}

#[test]
fn events_are_found_by_provider_or_alias_in_any_case() {
    let kb = kb();
    for (provider, id, role) in [
        ("WAS", 5002, "rapid-fail"),
        ("was", 5011, "crash"),
        ("Microsoft-Windows-WAS", 5002, "rapid-fail"),
        ("W3SVC-WP", 2280, "module-load"),
        ("Microsoft-Windows-IIS-W3SVC-WP", 2295, "module-load"),
        ("WAS", 5076, "recycle"),
        ("Microsoft-Windows-WAS", 5189, "config"),
        ("APPHOSTSVC", 9009, "config"),
        ("Microsoft-Windows-IIS-APPHOSTSVC", 9010, "config"),
        ("IIS AspNetCore Module V2", 1031, "start-failure"),
        ("IIS AspNetCore Module", 1000, "start-failure"),
        ("ASP.NET 4.0.30319.0", 1309, "app-log"),
        (".NET Runtime", 1026, "crash"),
        (".NET Runtime", 1000, "app-log"),
        ("Application Error", 1000, "crash"),
        ("Windows Error Reporting", 1001, "crash"),
        ("Microsoft-Windows-HttpEvent", 15021, "certificate"),
    ] {
        let e = kb
            .event(provider, id)
            .unwrap_or_else(|| panic!("no event {provider}/{id}"));
        assert_eq!(e.role, role, "{provider}/{id}");
    }
    assert!(kb.event("WAS", 9999).is_none());
    assert!(kb.event("Some Other Provider", 5002).is_none());
    // V1 of the module has its own crash event; V2 does not.
    assert!(kb.event("IIS AspNetCore Module", 1002).is_some());
    assert!(kb.event("IIS AspNetCore Module V2", 1002).is_none());
}

#[test]
fn the_fields_of_was_events_are_in_order() {
    let kb = kb();
    let fields = |id| kb.event("WAS", id).map(|e| e.fields.clone()).unwrap();
    assert_eq!(fields(5002), ["application pool name"]);
    assert_eq!(fields(5011)[..2], ["application pool name", "process id"]);
    assert_eq!(fields(5186)[..2], ["process id", "application pool name"]);
    for id in [5074, 5075, 5076, 5077, 5078, 5117] {
        assert_eq!(
            fields(id),
            ["process id", "application pool name"],
            "WAS/{id}"
        );
    }
    assert_eq!(fields(5079), ["application pool name"]);
}

#[test]
fn a_rules_file_adds_and_overrides_events() {
    let text = "[[event]]\nprovider = \"WAS\"\nid = 5002\ntitle = \"Ours\"\nfields = [\"pool\"]\nrole = \"rapid-fail\"\ncause = \"c\"\nchecks = [\"x\"]\n";
    let kb2 = kb()
        .with_rules_text(std::path::Path::new("r.toml"), text)
        .unwrap();
    assert_eq!(
        kb2.event("Microsoft-Windows-WAS", 5002).unwrap().title,
        "Ours"
    );
    assert_eq!(kb2.event_entries().len(), kb().event_entries().len());
    let bad = "\n[[event]]\nprovider = \"WAS\"\nid = 1\ntitle = \"t\"\nfields = []\nrole = \"exploded\"\ncause = \"c\"\nchecks = [\"x\"]\n";
    let e = kb()
        .with_rules_text(std::path::Path::new("r.toml"), bad)
        .unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.message.contains("role"), "{}", e.message);
}

/// An event as a reader makes it: `data` are (name, value) pairs in order, a name of `None`
/// for exports whose items are unnamed.
fn event(provider: &str, id: u32, data: &[(Option<&str>, &str)]) -> Event {
    Event {
        provider: provider.to_string(),
        source: None,
        id,
        level: None,
        time: None,
        record: None,
        channel: None,
        computer: None,
        process_id: None,
        data: data
            .iter()
            .map(|&(name, value)| crate::input::eventlog::Datum {
                name: name.map(str::to_string),
                value: value.to_string(),
            })
            .collect(),
        binary: None,
    }
}

#[test]
fn every_take_table_uses_known_keys_and_valid_alternatives() {
    let kb = kb();
    let mut with_take = 0;
    for e in kb.event_entries() {
        let at = format!("{}/{}", e.provider, e.id);
        with_take += usize::from(!e.take.is_empty());
        for (key, sources) in &e.take {
            assert!(TAKE_KEYS.contains(&key.as_str()), "{at}: key {key}");
            assert!(!sources.is_empty(), "{at}: {key} is empty");
            for s in sources {
                assert!(
                    take_position(s).is_some_and(|n| n >= 1) || is_take_name(s),
                    "{at}: {key} = {s}"
                );
            }
        }
    }
    assert!(
        with_take >= 50,
        "{with_take} entries say where their data is"
    );
    // Every WAS event about a pool says where the pool's name is.
    for e in kb.event_entries().iter().filter(|e| e.provider == "WAS") {
        assert!(e.take.contains_key("pool"), "WAS/{} has no pool", e.id);
    }
}

#[test]
fn take_finds_the_pool_and_pid_of_was_5011_named_or_by_position() {
    let e = kb().event("Microsoft-Windows-WAS", 5011).unwrap();
    let named = event(
        "Microsoft-Windows-WAS",
        5011,
        &[
            (Some("AppPoolID"), "OrdersPool"),
            (Some("ProcessID"), "4120"),
        ],
    );
    assert_eq!(e.take("pool", &named), Some("OrdersPool"));
    assert_eq!(e.take("pid", &named), Some("4120"));
    let unnamed = event("WAS", 5011, &[(None, "OrdersPool"), (None, "4120")]);
    assert_eq!(e.take("pool", &unnamed), Some("OrdersPool"));
    assert_eq!(e.take("pid", &unnamed), Some("4120"));
    // Recycle events put the process id first.
    let r = kb().event("WAS", 5074).unwrap();
    let recycle = event("WAS", 5074, &[(None, "3320"), (None, "OrdersPool")]);
    assert_eq!(r.take("pid", &recycle), Some("3320"));
    assert_eq!(r.take("pool", &recycle), Some("OrdersPool"));
    // What the entry does not map, or the event does not have, is absent.
    assert_eq!(e.take("exit", &named), None);
    assert_eq!(e.take("pool", &event("WAS", 5011, &[])), None);
}

#[test]
fn take_reads_application_error_1000_in_both_of_its_forms() {
    let e = kb().event("Application Error", 1000).unwrap();
    // Current Windows: a manifest with named items, the process id in hex with 0x.
    let named = event(
        "Application Error",
        1000,
        &[
            (Some("AppName"), "w3wp.exe"),
            (Some("AppVersion"), "10.0.20348.1"),
            (Some("AppTimeStamp"), "e5a8b8c3"),
            (Some("ModuleName"), "Orders.Native.dll"),
            (Some("ModuleVersion"), "3.4.1.0"),
            (Some("ModuleTimeStamp"), "6710c2a4"),
            (Some("ExceptionCode"), "c0000005"),
            (Some("FaultingOffset"), "000000000001a2f4"),
            (Some("ProcessId"), "0x1018"),
        ],
    );
    assert_eq!(e.take("module", &named), Some("Orders.Native.dll"));
    assert_eq!(e.take("exception", &named), Some("c0000005"));
    assert_eq!(e.take("pid", &named), Some("0x1018"));
    assert_eq!(e.take("app", &named), Some("w3wp.exe"));
    // The classic form (as in a Windows 10 Application.evtx): fifteen unnamed strings.
    let strings = [
        "Obs64.exe",
        "60.31.102.0",
        "947dafce",
        "KERNELBASE.dll",
        "10.0.19041.3758",
        "d80f8f12",
        "e0434352",
        "000000000002cf19",
        "df4",
        "01dabe0041952284",
        "C:\\Program Files\\obs-studio\\bin\\64bit\\Obs64.exe",
    ];
    let data: Vec<(Option<&str>, &str)> = strings.iter().map(|s| (None, *s)).collect();
    let classic = event("Application Error", 1000, &data);
    assert_eq!(e.take("module", &classic), Some("KERNELBASE.dll"));
    assert_eq!(e.take("exception", &classic), Some("e0434352"));
    assert_eq!(e.take("pid", &classic), Some("df4"));
    assert_eq!(e.take("app_path", &classic), Some(strings[10]));
}

#[test]
fn take_skips_empty_and_dash_values_for_the_next_alternative() {
    let e = kb().event("WAS", 5002).unwrap();
    let dash = event("WAS", 5002, &[(Some("AppPoolID"), "-")]);
    // The name holds `-`; `#1` is the same item, so nothing is found.
    assert_eq!(e.take("pool", &dash), None);
    let blank = event("WAS", 5002, &[(Some("AppPoolID"), "  \n ")]);
    assert_eq!(e.take("pool", &blank), None);
    let padded = event("WAS", 5002, &[(Some("apppoolid"), " OrdersPool\n")]);
    assert_eq!(e.take("pool", &padded), Some("OrdersPool"));
}

#[test]
fn take_finds_the_request_url_of_asp_net_1309_by_position() {
    let e = kb().event("ASP.NET 4.0.30319.0", 1309).unwrap();
    let mut data = vec![(None, ""); 30];
    data[14] = (None, "11232");
    data[15] = (None, "w3wp.exe");
    data[17] = (None, "SqlException");
    data[19] = (None, "http://example.test/ViewAll.aspx");
    let ev = event("ASP.NET 4.0.30319.0", 1309, &data);
    assert_eq!(e.take("url", &ev), Some("http://example.test/ViewAll.aspx"));
    assert_eq!(e.take("pid", &ev), Some("11232"));
    assert_eq!(e.take("exception", &ev), Some("SqlException"));
}

#[test]
fn a_rules_file_with_a_bad_take_is_refused_naming_the_entry() {
    let entry = |take: &str| {
        format!(
            "[[event]]\nprovider = \"WAS\"\nid = 5002\ntitle = \"t\"\nfields = [\"pool\"]\n\
             role = \"rapid-fail\"\ncause = \"c\"\nchecks = [\"x\"]\ntake = {take}\n"
        )
    };
    let load = |take: &str| kb().with_rules_text(std::path::Path::new("r.toml"), &entry(take));
    assert!(load("{ pool = [\"AppPoolID\", \"#1\"] }").is_ok());
    for (take, needle) in [
        ("{ poo = [\"AppPoolID\"] }", "`poo`"),
        ("{ pool = [\"#0\"] }", "`#0`"),
        ("{ pool = [\"#\"] }", "`#`"),
        ("{ pool = [\"#+2\"] }", "`#+2`"),
        ("{ pool = [\"\"] }", "``"),
        ("{ pool = [\"App Pool\"] }", "`App Pool`"),
        ("{ pool = [] }", "no alternative"),
    ] {
        let e = load(take).unwrap_err();
        assert_eq!(e.line, 1, "{take}");
        assert!(
            e.message.contains("event WAS/5002"),
            "{take}: {}",
            e.message
        );
        assert!(e.message.contains(needle), "{take}: {}", e.message);
    }
}

#[test]
fn module_names_people_type_and_versions() {
    assert_eq!(module_name("ARR"), "ApplicationRequestRouting");
    assert_eq!(module_name("ancm v2"), "AspNetCoreModuleV2");
    assert_eq!(module_name("ANCM-V1"), "AspNetCoreModuleV1");
    assert_eq!(module_name("FastCGI"), "FastCgiModule");
    assert_eq!(module_name(" AspNetCoreModuleV2 "), "AspNetCoreModuleV2");
    // An entry for the first version matches its unsuffixed name only.
    assert!(module_matches("AspNetCoreModuleV1", "AspNetCoreModule"));
    assert!(!module_matches("AspNetCoreModuleV1", "AspNetCoreModuleV2"));
    assert!(module_matches("AspNetCoreModule", "AspNetCoreModuleV2"));
    assert!(module_matches("AspNetCoreModule", "AspNetCoreModule"));
    assert!(!module_matches("AspNetCoreModuleV2", "AspNetCoreModule"));
}

#[test]
fn the_entry_for_the_exact_module_version_wins() {
    let text = "[[code]]\ncode = \"599.1\"\nmodule = \"AspNetCoreModuleV1\"\ntitle = \"v1\"\ncause = \"c\"\nchecks = [\"x\"]\n\n\
                [[code]]\ncode = \"599.1\"\nmodule = \"AspNetCoreModule\"\ntitle = \"any\"\ncause = \"c\"\nchecks = [\"x\"]\n";
    let kb2 = kb()
        .with_rules_text(std::path::Path::new("r.toml"), text)
        .unwrap();
    let title = |have: &str| {
        kb2.explain(&triple("599.1.0"), Some(have), &[])
            .entry
            .map(|e| e.title.clone())
    };
    assert_eq!(title("AspNetCoreModule").as_deref(), Some("v1"));
    assert_eq!(title("AspNetCoreModuleV2").as_deref(), Some("any"));
}
