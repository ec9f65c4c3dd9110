//! What each kind of event tells about the request: the module and pipeline stage in force,
//! the error an event set, how the request ended, the backend ARR chose, ANCM, FastCGI and
//! URL Rewrite outcomes.

use super::text::{capped, one_line};
use super::trace::{Ancm, ArrRoute, ErrorSet, FinalStatus, Note};
use super::walk::{Scratch, State};
use super::{MAX_ERROR_SETS, MAX_NOTES, MAX_VALUE};
use crate::hresult;

/// RQ_ notification flags and their pipeline names (IIS request-processing constants).
const NOTIFICATIONS: &[(u64, &str)] = &[
    (0x1, "BEGIN_REQUEST"),
    (0x2, "AUTHENTICATE_REQUEST"),
    (0x4, "AUTHORIZE_REQUEST"),
    (0x8, "RESOLVE_REQUEST_CACHE"),
    (0x10, "MAP_REQUEST_HANDLER"),
    (0x20, "ACQUIRE_REQUEST_STATE"),
    (0x40, "PRE_EXECUTE_REQUEST_HANDLER"),
    (0x80, "EXECUTE_REQUEST_HANDLER"),
    (0x100, "RELEASE_REQUEST_STATE"),
    (0x200, "UPDATE_REQUEST_CACHE"),
    (0x400, "LOG_REQUEST"),
    (0x800, "END_REQUEST"),
    (0x2000_0000, "SEND_RESPONSE"),
    (0x4000_0000, "READ_ENTITY"),
    (0x8000_0000, "MAP_PATH"),
];

/// The pipeline name of an RQ_ notification flag.
pub fn notification_name(code: u64) -> Option<&'static str> {
    NOTIFICATIONS
        .iter()
        .find(|(bit, _)| *bit == code)
        .map(|(_, name)| *name)
}

/// Which of an event's data [`State::apply`] reads, told by the event's name; keep it beside
/// `apply`, whose arms it follows. An event read by [`super::skim`] keeps only these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reads {
    All,
    /// `ModuleName` and `Notification`: the module events, most of a trace.
    Module,
    Nothing,
}

impl Reads {
    pub(super) fn of(name: &str) -> Reads {
        match name {
            "NOTIFY_MODULE_START" | "NOTIFY_MODULE_COMPLETION" | "NOTIFY_MODULE_END" => {
                Reads::Module
            }
            "MODULE_SET_RESPONSE_ERROR_STATUS"
            | "GENERAL_REQUEST_END"
            | "GENERAL_RESPONSE_ENTITY_BUFFER"
            | "GENERAL_ENDPOINT_INFORMATION"
            | "GENERAL_REQUEST_HEADERS"
            | "ARR_REQUEST_ROUTED"
            | "ARR_SERVER_ROUTED" => Reads::All,
            _ if name.starts_with("ANCM_")
                || name.starts_with("FASTCGI_")
                || is_rewrite_outcome(name) =>
            {
                Reads::All
            }
            _ => Reads::Nothing,
        }
    }

    /// Whether the value of `<Data Name="key">` (or `<Description Data="key">`) is kept.
    pub(super) fn takes(self, key: &str) -> bool {
        match self {
            Reads::All => true,
            Reads::Module => key == "ModuleName" || key == "Notification",
            Reads::Nothing => false,
        }
    }
}

impl State {
    /// What each kind of event tells about the request.
    pub(super) fn apply(&mut self, name: &str, index: usize, offset: i64) {
        let s = &self.scratch;
        match name {
            // A module that returned "pending" is still the one being waited on, so
            // NOTIFY_MODULE_END does not clear it; the next module to start replaces it.
            // END names its module too: a trace can begin with one (tracing starts inside
            // the BEGIN_REQUEST stage, before GENERAL_REQUEST_START is ever written).
            "NOTIFY_MODULE_START" | "NOTIFY_MODULE_COMPLETION" | "NOTIFY_MODULE_END" => {
                if let Some(module) = s.data("ModuleName").filter(|m| !m.is_empty()) {
                    self.module = Some(capped(module, 128));
                }
                if let Some(notification) = notification_of(s) {
                    self.notification = Some(notification);
                }
            }
            "MODULE_SET_RESPONSE_ERROR_STATUS" => {
                let error_text = s.description("ErrorCode").map(|t| one_line(t, 512));
                let set = ErrorSet {
                    module: capped(s.data("ModuleName").unwrap_or_default(), 128),
                    notification: notification_of(s).unwrap_or_default(),
                    notification_code: s.number("Notification"),
                    status: s
                        .number("HttpStatus")
                        .and_then(|v| u16::try_from(v).ok())
                        .unwrap_or(0),
                    substatus: s
                        .number("HttpSubStatus")
                        .and_then(|v| u32::try_from(v).ok()),
                    reason: capped(s.data("HttpReason").unwrap_or_default(), 256),
                    error_code: s
                        .number("ErrorCode")
                        .or_else(|| error_text.as_deref().and_then(hresult::parse)),
                    error_text,
                    config_exception: s
                        .shown("ConfigExceptionInfo")
                        .map(|t| one_line(t, MAX_VALUE)),
                    event_index: index,
                    offset_ms: offset,
                };
                if self.error_sets.len() >= MAX_ERROR_SETS {
                    self.error_sets.remove(0);
                }
                self.error_sets.push(set);
            }
            "GENERAL_REQUEST_END" => {
                self.trace.final_status = Some(FinalStatus {
                    status: s
                        .number("HttpStatus")
                        .and_then(|v| u16::try_from(v).ok())
                        .unwrap_or(0),
                    substatus: s
                        .number("HttpSubStatus")
                        .and_then(|v| u32::try_from(v).ok()),
                    bytes_sent: s.number("BytesSent"),
                    bytes_received: s.number("BytesReceived"),
                    win32: s
                        .number("Win32Status")
                        .or_else(|| s.number("ErrorCode"))
                        .map(hresult::as_win32_status),
                });
            }
            // The first chunk of the body holds the error page's title and message.
            "GENERAL_RESPONSE_ENTITY_BUFFER" if self.body.is_none() => {
                self.body = s
                    .data("Buffer")
                    .filter(|b| !b.is_empty())
                    .map(str::to_string);
            }
            "GENERAL_ENDPOINT_INFORMATION" => {
                if let Some(address) = s.data("RemoteAddress").filter(|a| !a.is_empty()) {
                    let client = match s.data("RemotePort").filter(|p| !p.is_empty()) {
                        Some(port) if address.contains(':') => format!("[{address}]:{port}"),
                        Some(port) => format!("{address}:{port}"),
                        None => address.to_string(),
                    };
                    self.trace.client = Some(capped(&client, 256));
                }
            }
            "LOG_FILE_MAX_SIZE_TRUNCATE" => {
                self.trace.truncated = true;
                self.trace.truncation = Some(
                    "IIS stopped writing the trace at its size limit (LOG_FILE_MAX_SIZE_TRUNCATE)"
                        .to_string(),
                );
            }
            "GENERAL_REQUEST_HEADERS" if self.trace.arr_log_id.is_none() => {
                self.trace.arr_log_id = s.data("Headers").and_then(arr_log_id);
            }
            "ARR_REQUEST_ROUTED" | "ARR_SERVER_ROUTED" => {
                let server = s.data("Server").filter(|v| !v.is_empty());
                let arr = self.trace.arr.get_or_insert_with(ArrRoute::default);
                if let Some(server) = server {
                    if !arr.server.is_empty() && arr.server != server {
                        // A retry to another server: the later choice is the one that failed.
                        *arr = ArrRoute::default();
                    }
                    arr.server = capped(server, 256);
                }
                if let Some(farm) = s.data("WebFarm").filter(|v| !v.is_empty()) {
                    arr.web_farm = Some(capped(farm, 256));
                }
                if let Some(reason) = s.shown("RoutingReason") {
                    arr.routing_reason = Some(capped(reason, 128));
                }
                if let Some(total) = s.number("TotalRequests") {
                    arr.total_requests = Some(total);
                }
                if let Some(failed) = s.number("FailedRequests") {
                    arr.failed_requests = Some(failed);
                }
            }
            _ if name.starts_with("ANCM_") => self.apply_ancm(name),
            _ if name.starts_with("FASTCGI_") => {
                push_note(&mut self.trace.fastcgi, name, s.summary(&[]), offset);
            }
            _ if is_rewrite_outcome(name) => {
                push_note(&mut self.trace.rewrite, name, s.summary(&[]), offset);
            }
            _ => {}
        }
    }

    pub(super) fn apply_ancm(&mut self, name: &str) {
        let s = &self.scratch;
        let ancm = self.trace.ancm.get_or_insert_with(Ancm::default);
        match name {
            "ANCM_WINHTTP_CALLBACK" => {
                ancm.winhttp_callbacks = ancm.winhttp_callbacks.saturating_add(1);
            }
            "ANCM_REQUEST_FORWARD_START" => ancm.forward_started = true,
            "ANCM_REQUEST_FORWARD_END" => ancm.forward_ended = true,
            "ANCM_REQUEST_FORWARD_FAIL" => {
                let text = s.description("ErrorCode").map(|t| one_line(t, 512));
                ancm.forward_error = s
                    .number("ErrorCode")
                    .or_else(|| text.as_deref().and_then(hresult::parse));
                ancm.forward_error_text = text;
            }
            "ANCM_START_APPLICATION_SUCCESS" => {
                ancm.app_description = s.shown("AppDescription").map(|t| one_line(t, 512));
            }
            "ANCM_START_APPLICATION_FAIL" if ancm.start_failures.len() < 4 => {
                let text = s
                    .shown("FailureDescription")
                    .map(|t| one_line(t, 1024))
                    .unwrap_or_else(|| s.summary(&[]));
                ancm.start_failures.push(text);
            }
            "ANCM_HRESULT_FAILED" if ancm.hresult_failures.len() < 8 => {
                ancm.hresult_failures.push(s.summary(&[]));
            }
            _ => {}
        }
    }
}

/// The value of the `X-ARR-LOG-ID` line of a block of request headers.
fn arr_log_id(headers: &str) -> Option<String> {
    headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        (name.trim().eq_ignore_ascii_case("X-ARR-LOG-ID") && !value.is_empty())
            .then(|| capped(value, 128))
    })
}

fn notification_of(s: &Scratch) -> Option<String> {
    if let Some(rendered) = s.description("Notification") {
        return Some(capped(rendered, 64));
    }
    let raw = s.data("Notification").filter(|v| !v.is_empty())?;
    match hresult::parse(raw) {
        Some(code) => Some(
            notification_name(code)
                .map(str::to_string)
                .unwrap_or_else(|| format!("0x{code:X}")),
        ),
        None => Some(capped(raw, 64)),
    }
}

/// URL Rewrite events worth keeping: outcomes, not every pattern test.
fn is_rewrite_outcome(name: &str) -> bool {
    matches!(
        name,
        "URL_CHANGED" | "RULE_EVALUATION_END" | "ABORT_REQUEST_ACTION"
    ) || (name.ends_with("_ACTION") && !name.starts_with("GENERAL_"))
}

fn push_note(notes: &mut Vec<Note>, name: &str, data: String, offset: i64) {
    if notes.len() < MAX_NOTES {
        notes.push(Note {
            offset_ms: offset,
            name: name.to_string(),
            data,
        });
    }
}
