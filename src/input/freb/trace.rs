//! What a trace holds once read: the request, the event that set the error, how it ended,
//! and what ARR, ANCM, FastCGI and URL Rewrite said along the way.

use crate::time::Millis;
use crate::triple::Triple;

/// One request's trace: the root attributes plus what the events say about the failure.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Trace {
    pub url: String,
    pub verb: String,
    pub site_id: Option<u32>,
    pub app_pool_id: String,
    pub process_id: Option<u32>,
    pub activity_id: String,
    /// `<Computer>` of the first event that names one.
    pub computer: String,
    /// Root attributes that some writers leave out (IIS Express writes none of them).
    pub remote_user_name: Option<String>,
    pub user_name: Option<String>,
    pub token_user_name: Option<String>,
    pub authentication_type: Option<String>,
    /// `RemoteAddress:RemotePort` from GENERAL_ENDPOINT_INFORMATION.
    pub client: Option<String>,
    pub status: u16,
    pub substatus: Option<u32>,
    /// The Win32 meaning of the error code (see [`crate::hresult::as_win32_status`]).
    pub win32: Option<u64>,
    /// `triggerStatusCode` as written (`404`, `0` for TIME_TAKEN traces).
    pub trigger_status: String,
    /// `failureReason`: `STATUS_CODE`, `TIME_TAKEN`, ...
    pub failure_reason: String,
    pub time_taken_ms: Option<u64>,
    /// TimeCreated of the first event.
    pub start: Option<Millis>,
    /// The MODULE_SET_RESPONSE_ERROR_STATUS event that explains the final status.
    pub error: Option<ErrorSet>,
    /// GENERAL_REQUEST_END.
    pub final_status: Option<FinalStatus>,
    /// The backend ARR routed the request to.
    pub arr: Option<ArrRoute>,
    /// The `X-ARR-LOG-ID` request header (GENERAL_REQUEST_HEADERS): the id ARR gives a
    /// request and logs on both tiers, so the tier pass can pair this trace's request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arr_log_id: Option<String>,
    pub ancm: Option<Ancm>,
    /// FASTCGI_* events.
    pub fastcgi: Vec<Note>,
    /// URL Rewrite outcomes (rule ends, URL changes, actions).
    pub rewrite: Vec<Note>,
    /// The start of the response body IIS sent, as plain text.
    pub response_excerpt: Option<String>,
    pub slowest_step: Option<SlowStep>,
    pub event_count: usize,
    pub truncated: bool,
    pub truncation: Option<String>,
    /// Why some event times were left out (outside the years a log time may carry).
    pub time_note: Option<String>,
    /// One entry per event, only when asked for (see [`super::read_trace`]).
    pub events: Vec<Event>,
    /// Events not kept because the trace had more than [`super::MAX_KEPT_EVENTS`].
    pub events_dropped: usize,
}

impl Trace {
    /// The `status.substatus.win32` this trace is evidence for.
    pub fn triple(&self) -> Triple {
        Triple::new(self.status, self.substatus, self.win32)
    }

    /// The module that set the error, when the trace says.
    pub fn error_module(&self) -> Option<&str> {
        self.error.as_ref().map(|e| e.module.as_str())
    }
}

/// A MODULE_SET_RESPONSE_ERROR_STATUS event: who set the error status, where, and why.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ErrorSet {
    pub module: String,
    /// Pipeline stage name (`EXECUTE_REQUEST_HANDLER`).
    pub notification: String,
    /// The raw RQ_ flag, when the event had one.
    pub notification_code: Option<u64>,
    pub status: u16,
    pub substatus: Option<u32>,
    pub reason: String,
    /// The raw HRESULT (`2147954402`).
    pub error_code: Option<u64>,
    /// IIS's rendering of it (`The operation timed out (0x80072ee2)`), when present.
    pub error_text: Option<String>,
    /// ConfigExceptionInfo, when not empty (500.19).
    pub config_exception: Option<String>,
    /// Position of the event in the trace (0-based).
    pub event_index: usize,
    pub offset_ms: i64,
}

/// GENERAL_REQUEST_END: what the client finally got.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FinalStatus {
    pub status: u16,
    pub substatus: Option<u32>,
    pub bytes_sent: Option<u64>,
    pub bytes_received: Option<u64>,
    pub win32: Option<u64>,
}

/// The backend server ARR chose, from ARR_REQUEST_ROUTED / ARR_SERVER_ROUTED.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ArrRoute {
    pub server: String,
    pub web_farm: Option<String>,
    pub routing_reason: Option<String>,
    pub total_requests: Option<u64>,
    pub failed_requests: Option<u64>,
}

/// What the ASP.NET Core Module reported.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ancm {
    pub forward_started: bool,
    pub forward_ended: bool,
    /// ANCM_REQUEST_FORWARD_FAIL ErrorCode.
    pub forward_error: Option<u64>,
    pub forward_error_text: Option<String>,
    /// ANCM_START_APPLICATION_FAIL descriptions.
    pub start_failures: Vec<String>,
    /// ANCM_START_APPLICATION_SUCCESS description.
    pub app_description: Option<String>,
    /// ANCM_HRESULT_FAILED data.
    pub hresult_failures: Vec<String>,
    pub winhttp_callbacks: u32,
}

/// One event kept by name, with its data line (FastCGI, URL Rewrite).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub offset_ms: i64,
    pub name: String,
    pub data: String,
}

/// The longest pause between two consecutive events.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SlowStep {
    pub gap_ms: u64,
    /// Offset of the event before the pause.
    pub at_ms: i64,
    /// Name of the event before the pause.
    pub before: String,
    /// Name of the event after it.
    pub after: String,
    /// Index of the event after the pause.
    pub after_index: usize,
    /// Module and pipeline stage in force while the time passed.
    pub module: Option<String>,
    pub notification: Option<String>,
}

/// One event, as the timeline shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// Milliseconds since the first event.
    pub offset_ms: i64,
    /// RenderingInfo Opcode (`NOTIFY_MODULE_START`), or the numeric opcode.
    pub name: String,
    pub level: u8,
    pub module: Option<String>,
    pub notification: Option<String>,
    /// The non-empty data as `Name=value` pairs, rendered where IIS renders them.
    pub data: String,
}
