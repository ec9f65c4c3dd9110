//! Realistic Failed Request Tracing files (`fr*.xml`), deterministic from a seed.
//!
//! A trace is what IIS writes with every provider at Verbose: the request start, its
//! headers, a `NOTIFY_MODULE_START`/`NOTIFY_MODULE_END` pair for each module in each pipeline
//! step, URL Rewrite evaluating its rules, the handler's own events (ARR routing, ANCM
//! forwarding with its WinHTTP callbacks, FastCGI), the module that set the error, the
//! custom error page, and the request end. That comes to a few hundred events, about
//! 250 KB per trace, as on a real server.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{Rng, Weighted, push_datetime};

/// What a folder of generated traces holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceCounts {
    pub traces: u64,
    pub bytes: u64,
    pub events: u64,
    /// Traces per `status.substatus`.
    pub groups: BTreeMap<String, u64>,
}

/// How a traced request went.
#[derive(Clone, Copy)]
enum Scenario {
    ArrTimeout,
    ArrConnect,
    AncmTimeout,
    BadConfig,
    AuthDenied,
    AppException,
    SlowPhp,
}

impl Scenario {
    /// Status, substatus, the module that set it, its step, the HRESULT (decimal, as FREB
    /// stores it), and the time taken in ms.
    fn failure(self, rng: &mut Rng) -> (u16, u32, &'static str, &'static str, u64, u64) {
        match self {
            Scenario::ArrTimeout => (
                502,
                3,
                "ApplicationRequestRouting",
                "EXECUTE_REQUEST_HANDLER",
                2_147_954_402,
                30_000 + rng.below(90),
            ),
            Scenario::ArrConnect => (
                502,
                3,
                "ApplicationRequestRouting",
                "EXECUTE_REQUEST_HANDLER",
                2_147_954_429,
                20 + rng.below(40),
            ),
            Scenario::AncmTimeout => (
                502,
                3,
                "AspNetCoreModuleV2",
                "EXECUTE_REQUEST_HANDLER",
                2_147_954_402,
                120_000 + rng.below(30),
            ),
            Scenario::BadConfig => (
                500,
                19,
                "IIS Web Core",
                "BEGIN_REQUEST",
                2_147_942_413,
                rng.range(1, 4),
            ),
            Scenario::AuthDenied => (
                401,
                2,
                "IIS Web Core",
                "AUTHENTICATE_REQUEST",
                2_147_942_405,
                rng.range(0, 2),
            ),
            Scenario::AppException => (
                500,
                0,
                "ManagedPipelineHandler",
                "EXECUTE_REQUEST_HANDLER",
                0,
                rng.range(80, 2500),
            ),
            Scenario::SlowPhp => (
                200,
                0,
                "FastCgiModule",
                "EXECUTE_REQUEST_HANDLER",
                0,
                rng.range(5_000, 15_000),
            ),
        }
    }

    fn handler(self) -> (&'static str, &'static str) {
        match self {
            Scenario::ArrTimeout | Scenario::ArrConnect => {
                ("ApplicationRequestRouting", "ApplicationRequestRouting")
            }
            Scenario::AncmTimeout => ("aspNetCore", "AspNetCoreModuleV2"),
            Scenario::SlowPhp => ("PHP_via_FastCGI", "FastCgiModule"),
            _ => (
                "ExtensionlessUrlHandler-Integrated-4.0",
                "ManagedPipelineHandler",
            ),
        }
    }
}

/// Pipeline steps with their notification numbers.
const STEPS: &[(&str, u32)] = &[
    ("BEGIN_REQUEST", 1),
    ("AUTHENTICATE_REQUEST", 2),
    ("AUTHORIZE_REQUEST", 4),
    ("RESOLVE_REQUEST_CACHE", 8),
    ("MAP_REQUEST_HANDLER", 16),
    ("ACQUIRE_REQUEST_STATE", 32),
    ("PRE_EXECUTE_REQUEST_HANDLER", 64),
    ("EXECUTE_REQUEST_HANDLER", 128),
    ("RELEASE_REQUEST_STATE", 256),
    ("UPDATE_REQUEST_CACHE", 512),
    ("LOG_REQUEST", 1024),
    ("END_REQUEST", 2048),
];

/// Modules subscribed to each step (the handler is added for EXECUTE_REQUEST_HANDLER).
fn modules(step: &str) -> &'static [&'static str] {
    match step {
        "BEGIN_REQUEST" => &[
            "RequestMonitorModule",
            "IsapiFilterModule",
            "RequestFilteringModule",
            "IpRestrictionModule",
            "RewriteModule",
            "FailedRequestsTracingModule",
            "ApplicationInitializationModule",
        ],
        "AUTHENTICATE_REQUEST" => &[
            "AnonymousAuthenticationModule",
            "WindowsAuthenticationModule",
            "BasicAuthenticationModule",
            "FormsAuthentication",
            "DefaultAuthentication",
        ],
        "AUTHORIZE_REQUEST" => &[
            "UrlAuthorizationModule",
            "RequestFilteringModule",
            "FileAuthorization",
            "UrlAuthorization",
            "RoleManager",
        ],
        "RESOLVE_REQUEST_CACHE" => &["HttpCacheModule", "OutputCache", "UriCacheModule"],
        "MAP_REQUEST_HANDLER" => &["UrlRoutingModule-4.0", "RewriteModule"],
        "ACQUIRE_REQUEST_STATE" => &["Session", "Profile", "AnonymousIdentification"],
        "PRE_EXECUTE_REQUEST_HANDLER" => &["ScriptModule-4.0", "ServiceModel-4.0"],
        "EXECUTE_REQUEST_HANDLER" => &[],
        "RELEASE_REQUEST_STATE" => &["Session", "DynamicCompressionModule"],
        "UPDATE_REQUEST_CACHE" => &["HttpCacheModule", "OutputCache"],
        "LOG_REQUEST" => &[
            "HttpLoggingModule",
            "CustomLoggingModule",
            "FailedRequestsTracingModule",
            "AdvancedLoggingModule",
        ],
        _ => &[
            "RequestMonitorModule",
            "CustomErrorModule",
            "ConfigurationValidationModule",
        ],
    }
}

struct Writer<'a> {
    out: String,
    computer: &'a str,
    activity: String,
    /// Current event time: milliseconds since the epoch plus a sub-ms tick.
    now: i64,
    tick: u64,
    events: u64,
}

impl Writer<'_> {
    fn advance(&mut self, ms: i64) {
        self.now += ms;
        self.tick = (self.tick + 1) % 10_000;
    }

    /// One `<Event>` with its data items, rendered opcode name and descriptions.
    fn event(
        &mut self,
        level: u8,
        opcode: u32,
        data: &[(&str, &str)],
        name: &str,
        keyword: Option<&str>,
        descriptions: &[(&str, &str)],
    ) {
        self.events += 1;
        let out = &mut self.out;
        let mut stamp = Vec::with_capacity(24);
        push_datetime(&mut stamp, self.now, b'T');
        let stamp = String::from_utf8_lossy(&stamp);
        let ms = self.now.rem_euclid(1000);
        let _ = write!(
            out,
            "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n <System>\n  \
             <Provider Name=\"WWW Server\" Guid=\"{{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}}\"/>\n  \
             <EventID>0</EventID>\n  <Version>1</Version>\n  <Level>{level}</Level>\n  \
             <Opcode>{opcode}</Opcode>\n  <Keywords>0x0</Keywords>\n  \
             <TimeCreated SystemTime=\"{stamp}.{ms:03}{tick:04}Z\"/>\n  \
             <Correlation ActivityID=\"{activity}\"/>\n  \
             <Execution ProcessID=\"4412\" ThreadID=\"3120\"/>\n  <Computer>{computer}</Computer>\n \
             </System>\n <EventData>\n  <Data Name=\"ContextId\">{activity}</Data>\n",
            tick = self.tick,
            activity = self.activity,
            computer = self.computer,
        );
        for (k, v) in data {
            let _ = writeln!(out, "  <Data Name=\"{k}\">{v}</Data>");
        }
        let _ = write!(
            out,
            " </EventData>\n <RenderingInfo Culture=\"en-US\">\n  <Opcode>{name}</Opcode>\n"
        );
        if let Some(k) = keyword {
            let _ = writeln!(out, "   <Keyword>{k}</Keyword>");
        }
        for (k, v) in descriptions {
            let _ = writeln!(
                out,
                "  <freb:Description Data=\"{k}\">{v}</freb:Description>"
            );
        }
        out.push_str(
            " </RenderingInfo>\n <ExtendedTracingInfo xmlns=\"http://schemas.microsoft.com/win/2004/08/events/trace\">\n  \
             <EventGuid>{D42CF7EF-DE92-473E-8B6C-621EA663113A}</EventGuid>\n </ExtendedTracingInfo>\n</Event>\n",
        );
    }

    fn module_start(&mut self, module: &str, step: &str, number: u32) {
        let n = number.to_string();
        self.event(
            5,
            1,
            &[
                ("ModuleName", module),
                ("Notification", &n),
                ("fIsPostNotification", "false"),
            ],
            "NOTIFY_MODULE_START",
            Some("RequestNotifications"),
            &[("Notification", step)],
        );
    }

    fn module_end(&mut self, module: &str, step: &str, number: u32, status: &str) {
        let n = number.to_string();
        let code = match status {
            "NOTIFICATION_PENDING" => "1",
            "NOTIFICATION_FINISH_REQUEST" => "2",
            _ => "0",
        };
        self.event(
            5,
            2,
            &[
                ("ModuleName", module),
                ("Notification", &n),
                ("fIsPostNotificationEvent", "false"),
                ("NotificationStatus", code),
            ],
            "NOTIFY_MODULE_END",
            Some("RequestNotifications"),
            &[("Notification", step), ("NotificationStatus", status)],
        );
    }
}

const HOSTS: &[&str] = &[
    "shop.example.com",
    "api.example.com",
    "intranet.contoso.local",
];
const BACKENDS: &[&str] = &[
    "app01.internal",
    "app02.internal",
    "app03.internal",
    "app04.internal",
];

/// Writes `count` traces into `dir` and returns what they hold.
pub fn write_traces(dir: &Path, seed: u64, count: u64) -> io::Result<TraceCounts> {
    fs::create_dir_all(dir)?;
    let mut rng = Rng::new(seed);
    let scenarios = Weighted::new([
        (30, Scenario::ArrTimeout),
        (10, Scenario::ArrConnect),
        (15, Scenario::AncmTimeout),
        (8, Scenario::BadConfig),
        (12, Scenario::AuthDenied),
        (15, Scenario::AppException),
        (10, Scenario::SlowPhp),
    ]);
    let mut counts = TraceCounts::default();
    let start = crate::rng::days_from_civil(2026, 11, 18) * 86_400_000;
    for i in 0..count {
        let scenario = *scenarios.get(scenarios.index(&mut rng));
        let at = start + rng.below(86_400_000) as i64;
        let (text, events, key) = trace(&mut rng, scenario, at, i);
        let path = dir.join(format!("fr{:06}.xml", i + 1));
        fs::write(&path, &text)?;
        counts.traces += 1;
        counts.bytes += text.len() as u64;
        counts.events += events;
        *counts.groups.entry(key).or_default() += 1;
    }
    Ok(counts)
}

/// One trace's text, its event count and its `status.substatus`.
fn trace(rng: &mut Rng, scenario: Scenario, at: i64, serial: u64) -> (String, u64, String) {
    let (status, substatus, set_by, set_in, error_code, taken) = scenario.failure(rng);
    let host = *rng.pick(HOSTS);
    let path = match scenario {
        Scenario::ArrTimeout => "/api/orders/search?customerId=48211&amp;status=open",
        Scenario::ArrConnect => "/api/inventory?sku=4f2a9c",
        Scenario::AncmTimeout => "/export/yearly",
        Scenario::BadConfig => "/api/orders",
        Scenario::AuthDenied => "/intranet/reports/Default.aspx",
        Scenario::AppException => "/Checkout/Submit",
        Scenario::SlowPhp => "/index.php?p=118",
    };
    let url = format!("https://{host}:443{path}");
    let verb = if matches!(scenario, Scenario::AppException | Scenario::AncmTimeout) {
        "POST"
    } else {
        "GET"
    };
    let activity = format!(
        "{{{:08X}-{:04X}-{:04X}-B63F-84710C7967BB}}",
        0x8000_0000u64 + serial,
        rng.below(0xFFFF),
        rng.below(0xFFFF)
    );
    let computer = if serial % 2 == 0 { "WEB01" } else { "WEB02" };
    let pool = match scenario {
        Scenario::ArrTimeout | Scenario::ArrConnect => "arr-front",
        Scenario::SlowPhp => "blog",
        _ => "shop",
    };
    let (reason, trigger) = if status == 200 {
        ("TIME_TAKEN", "0".to_string())
    } else {
        ("STATUS_CODE", status.to_string())
    };
    let mut w = Writer {
        out: String::with_capacity(300_000),
        computer,
        activity: activity.clone(),
        now: at,
        tick: rng.below(10_000),
        events: 0,
    };
    let _ = write!(
        w.out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<?xml-stylesheet type='text/xsl' href='freb.xsl'?>\n\
         <!-- saved from url=(0014)about:internet -->\n<failedRequest url=\"{url}\"\n               siteId=\"1\"\n               \
         appPoolId=\"{pool}\"\n               processId=\"4412\"\n               verb=\"{verb}\"\n               \
         remoteUserName=\"\"\n               userName=\"\"\n               tokenUserName=\"IIS APPPOOL\\{pool}\"\n               \
         authenticationType=\"anonymous\"\n               activityId=\"{activity}\"\n               \
         failureReason=\"{reason}\"\n               statusCode=\"{status}.{substatus}\"\n               \
         triggerStatusCode=\"{trigger}\"\n               timeTaken=\"{taken}\"\n               \
         xmlns:freb=\"http://schemas.microsoft.com/win/2006/06/iis/freb\"\n               >\n"
    );
    let conn = (1_610_612_736 + rng.below(100_000)).to_string();
    w.event(
        0,
        1,
        &[
            ("SiteId", "1"),
            ("AppPoolId", pool),
            ("ConnId", &conn),
            ("RawConnId", "0"),
            ("RequestURL", &url),
            ("RequestVerb", verb),
        ],
        "GENERAL_REQUEST_START",
        None,
        &[],
    );
    let port = rng.range(49_152, 65_535).to_string();
    w.event(
        4,
        55,
        &[
            ("RemoteAddress", "203.0.113.25"),
            ("RemotePort", &port),
            ("LocalAddress", "10.0.0.11"),
            ("LocalPort", "443"),
        ],
        "GENERAL_ENDPOINT_INFORMATION",
        None,
        &[],
    );
    let headers = format!(
        "Cache-Control: no-cache\nConnection: keep-alive\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\n\
         Accept-Encoding: gzip, deflate, br\nAccept-Language: en-US,en;q=0.9\n\
         Cookie: .AspNetCore.Session=CfDJ8{:016X}{:016X}; ai_user=k2Lq9|2026-11-02T08:12:44.118Z\n\
         Host: {host}\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\n\
         X-Forwarded-For: 198.51.100.23\nX-ARR-LOG-ID: {}\n",
        rng.next(),
        rng.next(),
        activity.trim_matches(['{', '}'])
    );
    w.event(
        4,
        50,
        &[("Headers", &headers)],
        "GENERAL_REQUEST_HEADERS",
        None,
        &[],
    );
    let (handler_name, handler_module) = scenario.handler();
    let rules = rng.range(30, 70);
    let mut failed = false;
    for &(step, number) in STEPS {
        if failed && !matches!(step, "LOG_REQUEST" | "END_REQUEST") {
            continue;
        }
        let mut mods: Vec<&str> = modules(step).to_vec();
        if step == "EXECUTE_REQUEST_HANDLER" {
            mods.push(handler_module);
        }
        if step == set_in && !mods.contains(&set_by) {
            // The server itself (IIS Web Core) refuses the request before any module runs.
            handler_events(&mut w, rng, scenario, taken);
            set_error(&mut w, set_by, step, number, status, substatus, error_code);
            failed = true;
            continue;
        }
        for module in mods {
            w.advance(rng.below(2) as i64);
            w.module_start(module, step, number);
            let mut end = "NOTIFICATION_CONTINUE";
            if module == "RewriteModule" && step == "BEGIN_REQUEST" {
                rewrite_rules(&mut w, rng, rules);
            }
            if module == "AnonymousAuthenticationModule" {
                w.event(
                    4,
                    2,
                    &[("AuthTypeSupported", "1")],
                    "AUTH_START",
                    Some("Authentication"),
                    &[],
                );
                w.event(4, 3, &[], "AUTH_END", Some("Authentication"), &[]);
            }
            if module == "UrlRoutingModule-4.0" {
                w.event(
                    4,
                    41,
                    &[
                        ("OldHandlerName", ""),
                        ("NewHandlerName", handler_name),
                        ("NewHandlerModules", handler_module),
                    ],
                    "HANDLER_CHANGED",
                    None,
                    &[],
                );
            }
            if module == set_by && step == set_in {
                handler_events(&mut w, rng, scenario, taken);
                if status != 200 {
                    set_error(&mut w, module, step, number, status, substatus, error_code);
                    end = "NOTIFICATION_FINISH_REQUEST";
                    failed = true;
                }
            }
            w.module_end(module, step, number, end);
            if failed && step != "END_REQUEST" && step != "LOG_REQUEST" {
                break;
            }
        }
    }
    response(&mut w, status, substatus);
    w.out.push_str("</failedRequest>\n");
    let events = w.events;
    (w.out, events, format!("{status}.{substatus}"))
}

fn rewrite_rules(w: &mut Writer<'_>, rng: &mut Rng, rules: u64) {
    w.event(
        4,
        1,
        &[("RequestURL", "/")],
        "URL_REWRITE_START",
        Some("Rewrite"),
        &[],
    );
    for r in 0..rules {
        let name = format!("Rule {r}: canonical host and HTTPS redirects");
        w.event(
            4,
            5,
            &[
                ("RuleName", &name),
                ("RequestURL", "/api/orders/search"),
                ("Scope", "Distributed"),
                ("Type", "Inbound"),
            ],
            "RULE_EVALUATION_START",
            Some("Rewrite"),
            &[],
        );
        w.event(
            4,
            7,
            &[
                ("Pattern", "^(api|export|intranet)/(.*)$"),
                ("Input", "/api/orders/search"),
                ("Negate", "false"),
                ("Matched", if rng.chance(0.2) { "true" } else { "false" }),
            ],
            "PATTERN_MATCH",
            Some("Rewrite"),
            &[],
        );
        w.event(
            4,
            6,
            &[
                ("RuleName", &name),
                ("RequestURL", "/api/orders/search"),
                ("Scope", "Distributed"),
                ("Type", "Inbound"),
                ("Succeeded", "false"),
            ],
            "RULE_EVALUATION_END",
            Some("Rewrite"),
            &[],
        );
    }
    w.event(
        4,
        2,
        &[("RequestURL", "/api/orders/search")],
        "URL_REWRITE_END",
        Some("Rewrite"),
        &[],
    );
}

/// What the handler logs while it works, ending after `taken` ms.
fn handler_events(w: &mut Writer<'_>, rng: &mut Rng, scenario: Scenario, taken: u64) {
    match scenario {
        Scenario::ArrTimeout | Scenario::ArrConnect => {
            let backend = *rng.pick(BACKENDS);
            let total = rng.range(500, 5000).to_string();
            w.event(
                4,
                20,
                &[("RoutingReason", "LoadBalancing"), ("Server", backend)],
                "ARR_REQUEST_ROUTED",
                Some("RequestRouting"),
                &[],
            );
            w.event(
                4,
                21,
                &[
                    ("RoutingReason", "LoadBalancing"),
                    ("Server", backend),
                    ("State", "Active"),
                    ("TotalRequests", &total),
                    ("FailedRequests", "37"),
                    ("CurrentRequests", "4"),
                ],
                "ARR_SERVER_ROUTED",
                Some("RequestRouting"),
                &[],
            );
            w.event(
                4,
                22,
                &[],
                "ARR_REQUEST_HEADERS_START",
                Some("RequestRouting"),
                &[],
            );
            w.event(
                4,
                23,
                &[(
                    "Headers",
                    "Max-Forwards: 10\nX-Original-URL: /api/orders/search\n",
                )],
                "ARR_REQUEST_HEADERS_END",
                Some("RequestRouting"),
                &[],
            );
            w.advance(taken as i64);
        }
        Scenario::AncmTimeout => {
            w.event(4, 1, &[], "ANCM_REQUEST_FORWARD_START", Some("ANCM"), &[]);
            let callbacks = rng.range(20, 80);
            for _ in 0..callbacks {
                w.advance(rng.below(3) as i64);
                w.event(
                    5,
                    3,
                    &[("InternetStatus", "2048")],
                    "ANCM_WINHTTP_CALLBACK",
                    Some("ANCM"),
                    &[],
                );
            }
            w.advance(taken as i64);
            w.event(
                2,
                4,
                &[("ErrorCode", "0x80072EE2")],
                "ANCM_REQUEST_FORWARD_FAIL",
                Some("ANCM"),
                &[],
            );
        }
        Scenario::SlowPhp => {
            w.event(
                4,
                1,
                &[
                    ("CommandLine", "C:\\PHP\\php-cgi.exe"),
                    ("IsNewProcess", "false"),
                ],
                "FASTCGI_ASSIGN_PROCESS",
                Some("FastCGI"),
                &[],
            );
            w.advance(taken as i64);
            w.event(
                4,
                3,
                &[],
                "FASTCGI_WAITING_FOR_RESPONSE",
                Some("FastCGI"),
                &[],
            );
            w.event(4, 5, &[], "FASTCGI_RESPONSE_HEADERS", Some("FastCGI"), &[]);
        }
        Scenario::AppException => {
            for stage in [
                "AspNetPageTraceWarnEvent",
                "AspNetPagePreInitEnter",
                "AspNetPageLoadEnter",
                "AspNetPageLoadLeave",
            ] {
                w.event(
                    4,
                    1,
                    &[("Message", "Entering page lifecycle")],
                    stage,
                    Some("ASPNET"),
                    &[],
                );
            }
            w.advance(taken as i64);
            w.event(2, 9, &[("ErrorText", "System.NullReferenceException: Object reference not set to an instance of an object.")], "AspNetUnhandledException", Some("ASPNET"), &[]);
        }
        Scenario::BadConfig => {
            w.event(
                2,
                14,
                &[("ConfigExceptionInfo", "\\\\?\\C:\\inetpub\\wwwroot\\web.config ( 14) :Configuration file is not well-formed XML")],
                "CONFIG_CHANGE_NOTIFICATION",
                None,
                &[],
            );
        }
        Scenario::AuthDenied => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn set_error(
    w: &mut Writer<'_>,
    module: &str,
    step: &str,
    number: u32,
    status: u16,
    substatus: u32,
    error_code: u64,
) {
    let n = number.to_string();
    let st = status.to_string();
    let sub = substatus.to_string();
    let code = error_code.to_string();
    let reason = match status {
        401 => "Unauthorized",
        502 => "Bad Gateway",
        _ => "Internal Server Error",
    };
    let config = if substatus == 19 {
        "\\\\?\\C:\\inetpub\\wwwroot\\web.config ( 14) :Configuration file is not well-formed XML"
    } else {
        ""
    };
    let rendered = format!("{:08X}", error_code);
    w.event(
        3,
        16,
        &[
            ("ModuleName", module),
            ("Notification", &n),
            ("HttpStatus", &st),
            ("HttpReason", reason),
            ("HttpSubStatus", &sub),
            ("ErrorCode", &code),
            ("ConfigExceptionInfo", config),
        ],
        "MODULE_SET_RESPONSE_ERROR_STATUS",
        Some("RequestNotifications"),
        &[
            ("Notification", step),
            ("ErrorCode", &format!("(0x{rendered})")),
        ],
    );
}

/// The response: headers, the error page, the flush and the request end.
fn response(w: &mut Writer<'_>, status: u16, substatus: u32) {
    w.event(
        4,
        47,
        &[(
            "Headers",
            "Content-Type: text/html\nServer: Microsoft-IIS/10.0\nX-Powered-By: ASP.NET\n",
        )],
        "GENERAL_RESPONSE_HEADERS",
        None,
        &[],
    );
    let body = format!(
        "&lt;!DOCTYPE html&gt;\n&lt;html&gt;&lt;head&gt;&lt;title&gt;IIS {status}.{substatus} Error&lt;/title&gt;&lt;/head&gt;\
         &lt;body&gt;&lt;h1&gt;HTTP Error {status}.{substatus}&lt;/h1&gt;&lt;p&gt;Most likely causes: see the detailed error.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;\n"
    );
    w.event(
        4,
        49,
        &[("Buffer", &body)],
        "GENERAL_RESPONSE_ENTITY_BUFFER",
        None,
        &[],
    );
    w.event(4, 37, &[], "GENERAL_FLUSH_RESPONSE_START", None, &[]);
    w.event(
        4,
        38,
        &[("BytesSent", "1477"), ("ErrorCode", "0")],
        "GENERAL_FLUSH_RESPONSE_END",
        None,
        &[],
    );
    let st = status.to_string();
    let sub = substatus.to_string();
    w.event(
        0,
        2,
        &[
            ("BytesSent", "1477"),
            ("BytesReceived", "612"),
            ("HttpStatus", &st),
            ("HttpSubStatus", &sub),
        ],
        "GENERAL_REQUEST_END",
        None,
        &[],
    );
}
