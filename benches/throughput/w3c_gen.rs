//! Realistic IIS W3C extended logs, deterministic from a seed, of any size.
//!
//! A log is a day (or more) of traffic on one front end: browsers and bots with their real
//! user agents, pages, APIs and static files with query strings, a few percent failures with
//! the triples an IIS farm really shows (502.3.12002 at the 30 s ARR timeout, 500.19.13 after a
//! bad deploy, scanners' 404.0.2, the anonymous 401.2.5 leg of Windows authentication, clients
//! that went away as 200.0.64 ...), CRLF line ends, and a new `#Software/#Version/#Date/#Fields`
//! block where IIS restarted or its logging was reconfigured (a different field set from there
//! on). The generator counts what it wrote, so a reader's totals can be checked.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{Rng, Weighted, push_datetime, push_hex, push_u64};

/// What a generated log holds, as `iisdiag scan` must count it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub requests: u64,
    pub failures: u64,
    pub lines: u64,
    pub bytes: u64,
    /// Failures per `status.substatus.win32`.
    pub groups: BTreeMap<String, u64>,
}

impl Counts {
    pub fn add(&mut self, other: &Counts) {
        self.requests += other.requests;
        self.failures += other.failures;
        self.lines += other.lines;
        self.bytes += other.bytes;
        for (k, v) in &other.groups {
            *self.groups.entry(k.clone()).or_default() += v;
        }
    }
}

/// The columns a generated log can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Date,
    Time,
    SiteName,
    Computer,
    ServerIp,
    Method,
    Stem,
    Query,
    Port,
    Username,
    ClientIp,
    Version,
    UserAgent,
    Referer,
    Host,
    Status,
    Substatus,
    Win32,
    ScBytes,
    CsBytes,
    TimeTaken,
    ForwardedFor,
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Date => "date",
            Col::Time => "time",
            Col::SiteName => "s-sitename",
            Col::Computer => "s-computername",
            Col::ServerIp => "s-ip",
            Col::Method => "cs-method",
            Col::Stem => "cs-uri-stem",
            Col::Query => "cs-uri-query",
            Col::Port => "s-port",
            Col::Username => "cs-username",
            Col::ClientIp => "c-ip",
            Col::Version => "cs-version",
            Col::UserAgent => "cs(User-Agent)",
            Col::Referer => "cs(Referer)",
            Col::Host => "cs-host",
            Col::Status => "sc-status",
            Col::Substatus => "sc-substatus",
            Col::Win32 => "sc-win32-status",
            Col::ScBytes => "sc-bytes",
            Col::CsBytes => "cs-bytes",
            Col::TimeTaken => "time-taken",
            Col::ForwardedFor => "X-Forwarded-For",
        }
    }
}

/// The field sets a log switches between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// What IIS 8.5 and later log out of the box.
    Default,
    /// Every standard field ticked (a config change), status no longer near the line's end.
    Extended,
    /// The default fields plus a custom `X-Forwarded-For` field (IIS 10 behind a balancer).
    Forwarded,
}

impl Layout {
    fn cols(self) -> &'static [Col] {
        use Col::*;
        match self {
            Layout::Default => &[
                Date, Time, ServerIp, Method, Stem, Query, Port, Username, ClientIp, UserAgent,
                Referer, Status, Substatus, Win32, TimeTaken,
            ],
            Layout::Extended => &[
                Date, Time, SiteName, Computer, ServerIp, Method, Stem, Query, Port, Username,
                ClientIp, Version, UserAgent, Referer, Host, Status, Substatus, Win32, ScBytes,
                CsBytes, TimeTaken,
            ],
            Layout::Forwarded => &[
                Date,
                Time,
                ServerIp,
                Method,
                Stem,
                Query,
                Port,
                Username,
                ClientIp,
                UserAgent,
                Referer,
                Status,
                Substatus,
                Win32,
                TimeTaken,
                ForwardedFor,
            ],
        }
    }
}

/// What kind of URL a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Url {
    Page,
    Static,
    Api,
    OrderSearch,
    Orders,
    Inventory,
    Checkout,
    Scanner,
    Intranet,
    Download,
    Login,
    Legacy,
}

/// How long a request of an outcome takes.
#[derive(Debug, Clone, Copy)]
enum Taken {
    /// Ordinary work: a short floor plus an exponential tail (ms).
    Work(u64, f64),
    /// Sits at a timeout: value and jitter (ms).
    Around(u64, u64),
    /// Uniform between two values (ms).
    Between(u64, u64),
}

struct Outcome {
    status: u16,
    substatus: u32,
    win32: u64,
    url: Url,
    taken: Taken,
}

fn outcomes() -> Weighted<Outcome> {
    let o = |status, substatus, win32, url, taken| Outcome {
        status,
        substatus,
        win32,
        url,
        taken,
    };
    Weighted::new([
        // Successes: about 97 % of the traffic.
        (1500, o(200, 0, 0, Url::Page, Taken::Work(8, 60.0))),
        (900, o(200, 0, 0, Url::Static, Taken::Work(0, 4.0))),
        (500, o(200, 0, 0, Url::Api, Taken::Work(12, 90.0))),
        (150, o(200, 0, 0, Url::Orders, Taken::Work(20, 150.0))),
        (100, o(200, 0, 0, Url::OrderSearch, Taken::Work(40, 400.0))),
        (350, o(304, 0, 0, Url::Static, Taken::Work(0, 2.0))),
        (70, o(302, 0, 0, Url::Login, Taken::Work(3, 10.0))),
        (25, o(301, 0, 0, Url::Page, Taken::Work(0, 2.0))),
        (15, o(206, 0, 0, Url::Download, Taken::Work(50, 2000.0))),
        (40, o(200, 0, 0, Url::Intranet, Taken::Work(15, 80.0))),
        (20, o(200, 0, 0, Url::Legacy, Taken::Work(30, 200.0))),
        // Failures: about 3 %.
        (30, o(404, 0, 2, Url::Scanner, Taken::Between(1, 12))),
        (18, o(401, 2, 5, Url::Intranet, Taken::Between(0, 2))),
        (
            10,
            o(401, 1, 2_148_074_254, Url::Intranet, Taken::Between(0, 3)),
        ),
        (
            8,
            o(502, 3, 12_002, Url::OrderSearch, Taken::Around(30_000, 120)),
        ),
        (3, o(502, 3, 12_029, Url::Inventory, Taken::Between(5, 45))),
        (4, o(500, 19, 13, Url::Orders, Taken::Between(0, 3))),
        (5, o(500, 0, 0, Url::Checkout, Taken::Work(100, 900.0))),
        (2, o(500, 0, 0, Url::Legacy, Taken::Work(40, 300.0))),
        (4, o(503, 0, 0, Url::Api, Taken::Between(0, 4))),
        (
            6,
            o(200, 0, 64, Url::Download, Taken::Work(20_000, 40_000.0)),
        ),
        (2, o(200, 0, 1236, Url::Page, Taken::Work(200, 3000.0))),
        (3, o(400, 0, 0, Url::Api, Taken::Between(0, 2))),
        (2, o(403, 14, 5, Url::Static, Taken::Between(0, 2))),
        (1, o(404, 3, 50, Url::Static, Taken::Between(0, 2))),
        (1, o(500, 0, 995, Url::Api, Taken::Work(1000, 5000.0))),
    ])
}

const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36+Edg/131.0.0.0",
    "Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+10_15_7)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/18.1+Safari/605.1.15",
    "Mozilla/5.0+(iPhone;+CPU+iPhone+OS+18_1+like+Mac+OS+X)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/18.1+Mobile/15E148+Safari/604.1",
    "Mozilla/5.0+(Linux;+Android+14;+SM-S918B)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Mobile+Safari/537.36",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:132.0)+Gecko/20100101+Firefox/132.0",
    "Mozilla/5.0+(X11;+Linux+x86_64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/130.0.0.0+Safari/537.36",
    "Mozilla/5.0+(compatible;+Googlebot/2.1;++http://www.google.com/bot.html)",
    "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+Trident/7.0;+rv:11.0)+like+Gecko",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "curl/8.9.1",
    "Microsoft-WNS/10.0",
    "AlwaysOn",
    "-",
];

const PAGES: &[&str] = &[
    "/",
    "/Home/Index",
    "/products",
    "/products/category/garden",
    "/products/category/kitchen",
    "/cart",
    "/search",
    "/about",
    "/contact",
    "/blog",
    "/Account/Manage",
    "/help/shipping",
];
const STATIC_DIRS: &[(&str, &str)] = &[
    ("/static/js/app.", ".js"),
    ("/static/js/vendor.", ".js"),
    ("/static/css/site.", ".css"),
    ("/images/products/", ".jpg"),
    ("/images/banners/", ".webp"),
    ("/fonts/segoeui-", ".woff2"),
];
const STATIC_FIXED: &[&str] = &[
    "/favicon.ico",
    "/lib/jquery/dist/jquery-3.7.1.min.js",
    "/lib/bootstrap/dist/css/bootstrap.min.css",
    "/robots.txt",
    "/apple-touch-icon.png",
];
const SCANNER: &[&str] = &[
    "/.env",
    "/wp-login.php",
    "/wp-admin/setup-config.php",
    "/phpmyadmin/index.php",
    "/.git/config",
    "/xmlrpc.php",
    "/admin/config.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci",
    "/owa/auth/logon.aspx",
];
const SEARCH_WORDS: &[&str] = &[
    "garden+hose",
    "kettle",
    "blue+mug",
    "lamp",
    "chair+cushion",
    "order+1234",
    "caf%C3%A9+table",
    "gift+card",
];
const INTRANET_USERS: &[&str] = &["CONTOSO\\jdoe", "CONTOSO\\asmith", "CONTOSO\\svc-report"];

/// What a front end looks like in its logs.
struct Server {
    computer: &'static str,
    ip: &'static str,
    site: &'static str,
    host: &'static str,
}

const SERVER: Server = Server {
    computer: "WEB01",
    ip: "10.0.0.11",
    site: "W3SVC1",
    host: "shop.example.com",
};

/// A log to write: its size, the day it starts, and where its header blocks go.
pub struct Spec {
    pub seed: u64,
    pub bytes: u64,
    /// Day of the first request (days since 1970-01-01).
    pub day: i64,
    /// Header blocks: at which fraction of the file, with which field set.
    pub blocks: Vec<(f64, Layout)>,
}

/// Fixed tables, built once per log.
struct Tables {
    outcomes: Weighted<Outcome>,
    clients: Vec<Vec<u8>>,
    proxies: Vec<Vec<u8>>,
    agents: Weighted<&'static str>,
}

impl Tables {
    fn new(rng: &mut Rng) -> Tables {
        let mut clients = Vec::with_capacity(5000);
        for i in 0..5000 {
            let mut ip = Vec::new();
            if i % 20 == 7 {
                ip.extend_from_slice(b"2001:db8:");
                push_hex(&mut ip, rng, 4);
                ip.push(b':');
                push_hex(&mut ip, rng, 3);
                ip.extend_from_slice(b"::");
                push_hex(&mut ip, rng, 2);
            } else {
                push_u64(&mut ip, rng.range(11, 223));
                for _ in 0..3 {
                    ip.push(b'.');
                    push_u64(&mut ip, rng.range(0, 254));
                }
            }
            clients.push(ip);
        }
        let proxies = (0..4)
            .map(|i| format!("10.0.1.{}", 5 + i).into_bytes())
            .collect();
        let agent_weights = [30, 12, 10, 12, 10, 8, 2, 3, 2, 1, 3, 2, 1, 1, 1, 2];
        let agents = Weighted::new(agent_weights.into_iter().zip(USER_AGENTS.iter().copied()));
        Tables {
            outcomes: outcomes(),
            clients,
            proxies,
            agents,
        }
    }
}

/// Writes one log to `path` and returns what it holds.
pub fn write_log(path: &Path, spec: &Spec) -> io::Result<Counts> {
    let mut file = io::BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = Rng::new(spec.seed);
    let tables = Tables::new(&mut rng);
    let mut per_outcome = vec![0u64; tables.outcomes.len()];
    let mut counts = Counts::default();

    // About 240 bytes a line; spread the lines over the day.
    let lines_expected = (spec.bytes / 240).max(1);
    let gap_ms = (86_400_000.0 / lines_expected as f64).min(60_000.0);
    let mut now: i64 = spec.day * 86_400_000 + 1000 * rng.range(0, 59) as i64;
    let mut blocks = spec.blocks.iter().peekable();
    let mut layout = Layout::Default;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut stem: Vec<u8> = Vec::with_capacity(256);
    let mut query: Vec<u8> = Vec::with_capacity(256);
    let mut stamp: Vec<u8> = Vec::with_capacity(32);
    let mut written: u64 = 0;

    while written + (buf.len() as u64) < spec.bytes {
        let frac = written as f64 / spec.bytes as f64;
        if let Some((_, next)) = blocks.next_if(|(at, _)| *at <= frac) {
            layout = *next;
            header(&mut buf, layout, now);
            counts.lines += 4;
        }
        now += rng.exp(gap_ms) as i64;
        let i = tables.outcomes.index(&mut rng);
        let outcome = tables.outcomes.get(i);
        per_outcome[i] += 1;
        line(
            &mut buf, &mut rng, &tables, layout, outcome, now, &mut stem, &mut query, &mut stamp,
        );
        counts.lines += 1;
        if buf.len() >= (1 << 20) - 4096 {
            file.write_all(&buf)?;
            written += buf.len() as u64;
            buf.clear();
        }
    }
    file.write_all(&buf)?;
    written += buf.len() as u64;
    file.flush()?;

    for (i, n) in per_outcome.iter().enumerate() {
        let o = tables.outcomes.get(i);
        counts.requests += n;
        if (o.status >= 400 || o.win32 != 0) && *n > 0 {
            counts.failures += n;
            *counts
                .groups
                .entry(format!("{}.{}.{}", o.status, o.substatus, o.win32))
                .or_default() += n;
        }
    }
    counts.bytes = written;
    Ok(counts)
}

/// The four lines IIS writes when it opens a log or restarts.
fn header(buf: &mut Vec<u8>, layout: Layout, now: i64) {
    buf.extend_from_slice(
        b"#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: ",
    );
    push_datetime(buf, now, b' ');
    buf.extend_from_slice(b"\r\n#Fields:");
    for col in layout.cols() {
        buf.push(b' ');
        buf.extend_from_slice(col.name().as_bytes());
    }
    buf.extend_from_slice(b"\r\n");
}

#[allow(clippy::too_many_arguments)]
fn line(
    buf: &mut Vec<u8>,
    rng: &mut Rng,
    tables: &Tables,
    layout: Layout,
    o: &Outcome,
    now: i64,
    stem: &mut Vec<u8>,
    query: &mut Vec<u8>,
    stamp: &mut Vec<u8>,
) {
    stem.clear();
    query.clear();
    let method = url(rng, o, stem, query);
    let client = &tables.clients[rng.skewed(tables.clients.len())];
    let agent = match o.url {
        Url::Scanner => "Mozilla/5.0+zgrab/0.x",
        Url::Intranet => USER_AGENTS[1],
        _ => tables.agents.get(tables.agents.index(rng)),
    };
    let taken = match o.taken {
        Taken::Work(floor, mean) => floor + rng.exp(mean) as u64,
        Taken::Around(at, jitter) => at + rng.below(jitter),
        Taken::Between(lo, hi) => rng.range(lo, hi),
    };
    let https = o.status != 301;
    stamp.clear();
    push_datetime(stamp, now, b' ');
    for (n, col) in layout.cols().iter().enumerate() {
        if n > 0 {
            buf.push(b' ');
        }
        match col {
            Col::Date => buf.extend_from_slice(&stamp[..10]),
            Col::Time => buf.extend_from_slice(&stamp[11..]),
            Col::SiteName => buf.extend_from_slice(SERVER.site.as_bytes()),
            Col::Computer => buf.extend_from_slice(SERVER.computer.as_bytes()),
            Col::ServerIp => buf.extend_from_slice(SERVER.ip.as_bytes()),
            Col::Method => buf.extend_from_slice(method.as_bytes()),
            Col::Stem => buf.extend_from_slice(stem),
            Col::Query => dash_or(buf, query),
            Col::Port => buf.extend_from_slice(if https { b"443" } else { b"80" }),
            Col::Username => match o.url {
                Url::Intranet if o.status == 200 => {
                    buf.extend_from_slice(rng.pick(INTRANET_USERS).as_bytes());
                }
                _ => buf.push(b'-'),
            },
            Col::ClientIp => buf.extend_from_slice(client),
            Col::Version => buf.extend_from_slice(b"HTTP/1.1"),
            Col::UserAgent => buf.extend_from_slice(agent.as_bytes()),
            Col::Referer => {
                if matches!(o.url, Url::Static | Url::Api | Url::Orders) && rng.chance(0.7) {
                    buf.extend_from_slice(b"https://shop.example.com/");
                    if rng.chance(0.5) {
                        buf.extend_from_slice(b"products/category/garden");
                    }
                } else {
                    buf.push(b'-');
                }
            }
            Col::Host => buf.extend_from_slice(SERVER.host.as_bytes()),
            Col::Status => push_u64(buf, u64::from(o.status)),
            Col::Substatus => push_u64(buf, u64::from(o.substatus)),
            Col::Win32 => push_u64(buf, o.win32),
            Col::ScBytes => push_u64(buf, 180 + rng.exp(12_000.0) as u64),
            Col::CsBytes => push_u64(buf, 250 + rng.below(900)),
            Col::TimeTaken => push_u64(buf, taken),
            Col::ForwardedFor => {
                if rng.chance(0.1) {
                    buf.push(b'-');
                } else {
                    buf.extend_from_slice(client);
                    buf.extend_from_slice(b",+");
                    let proxy: &Vec<u8> = rng.pick(&tables.proxies);
                    buf.extend_from_slice(proxy);
                }
            }
        }
    }
    buf.extend_from_slice(b"\r\n");
}

fn dash_or(buf: &mut Vec<u8>, value: &[u8]) {
    if value.is_empty() {
        buf.push(b'-');
    } else {
        buf.extend_from_slice(value);
    }
}

/// Writes the URL stem and query of a request, returning its method.
fn url(rng: &mut Rng, o: &Outcome, stem: &mut Vec<u8>, query: &mut Vec<u8>) -> &'static str {
    let mut method = "GET";
    match o.url {
        Url::Page => {
            let page = PAGES[rng.skewed(PAGES.len())];
            if page == "/products" && rng.chance(0.6) {
                stem.extend_from_slice(b"/products/");
                push_u64(stem, rng.range(1000, 99_999));
            } else if page == "/blog" && rng.chance(0.7) {
                stem.extend_from_slice(b"/blog/2026/");
                push_hex(stem, rng, 10);
            } else {
                stem.extend_from_slice(page.as_bytes());
            }
            match rng.below(10) {
                0..=5 => {}
                6 => {
                    query.extend_from_slice(b"page=");
                    push_u64(query, rng.range(1, 40));
                    query.extend_from_slice(b"&size=50");
                }
                7 => {
                    query.extend_from_slice(b"q=");
                    query.extend_from_slice(rng.pick(SEARCH_WORDS).as_bytes());
                }
                8 => query.extend_from_slice(
                    b"utm_source=newsletter&utm_medium=email&utm_campaign=autumn26",
                ),
                _ => {
                    query.extend_from_slice(b"ref=home&sessionId=");
                    push_hex(query, rng, 24);
                }
            }
        }
        Url::Static => {
            if rng.chance(0.3) {
                stem.extend_from_slice(rng.pick(STATIC_FIXED).as_bytes());
            } else {
                let (dir, ext) = STATIC_DIRS[rng.skewed(STATIC_DIRS.len())];
                stem.extend_from_slice(dir.as_bytes());
                if dir.starts_with("/images/products") {
                    push_u64(stem, rng.range(1000, 99_999));
                } else {
                    push_hex(stem, rng, 8);
                }
                stem.extend_from_slice(ext.as_bytes());
                if rng.chance(0.2) {
                    query.extend_from_slice(b"v=");
                    push_hex(query, rng, 12);
                }
            }
        }
        Url::Api => {
            stem.extend_from_slice(b"/api/v2/products/");
            push_u64(stem, rng.range(1000, 99_999));
            if rng.chance(0.5) {
                stem.extend_from_slice(b"/reviews");
                query.extend_from_slice(b"sort=recent&take=20");
            }
            if rng.chance(0.2) {
                method = "POST";
            }
        }
        Url::OrderSearch => {
            stem.extend_from_slice(b"/api/orders/search");
            query.extend_from_slice(b"customerId=");
            push_u64(query, rng.range(10_000, 999_999));
            query.extend_from_slice(b"&from=2026-01-01&status=open");
        }
        Url::Orders => {
            stem.extend_from_slice(b"/api/orders");
            if rng.chance(0.5) {
                stem.push(b'/');
                push_u64(stem, rng.range(100_000, 999_999));
            } else {
                method = "POST";
            }
        }
        Url::Inventory => {
            stem.extend_from_slice(b"/api/inventory");
            query.extend_from_slice(b"sku=");
            push_hex(query, rng, 6);
        }
        Url::Checkout => {
            stem.extend_from_slice(b"/Checkout/Submit");
            method = "POST";
        }
        Url::Scanner => {
            stem.extend_from_slice(rng.pick(SCANNER).as_bytes());
            if rng.chance(0.1) {
                method = "POST";
            }
        }
        Url::Intranet => {
            stem.extend_from_slice(b"/intranet/");
            if rng.chance(0.5) {
                stem.extend_from_slice(b"reports/Default.aspx");
                query.extend_from_slice(b"week=");
                push_u64(query, rng.range(1, 52));
            }
        }
        Url::Download => {
            stem.extend_from_slice(b"/downloads/report-");
            push_u64(stem, rng.range(2020, 2026));
            stem.extend_from_slice(b".pdf");
        }
        Url::Login => {
            stem.extend_from_slice(b"/Account/Login");
            query.extend_from_slice(b"ReturnUrl=%2FAccount%2FManage");
            if rng.chance(0.3) {
                method = "POST";
            }
        }
        Url::Legacy => {
            stem.extend_from_slice(b"/legacy/report.asp");
            query.extend_from_slice(b"id=");
            push_u64(query, rng.range(1, 500));
            if o.status == 500 {
                // Classic ASP appends the script error to the query string.
                query.extend_from_slice(b"|42|800a000d|Type_mismatch:_'CInt'");
            }
        }
    }
    method
}

/// Cuts the log at `src` into files of about `piece` bytes in `dir`, at line boundaries. A file
/// that would start with a data line starts with the header block in force there, as IIS
/// writes one at the top of every log. Returns the files' lines (headers added) and bytes.
pub fn cut_log(src: &Path, dir: &Path, piece: u64) -> io::Result<(u64, u64)> {
    let mut input = io::BufReader::with_capacity(1 << 20, File::open(src)?);
    let mut lines = 0u64;
    let mut header: Vec<u8> = Vec::new();
    let mut in_header = false;
    let mut line: Vec<u8> = Vec::new();
    let mut out: Option<(io::BufWriter<File>, u64)> = None;
    let mut pieces = 0u32;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let directive = line.starts_with(b"#");
        if directive && !in_header {
            header.clear();
        }
        in_header = directive;
        if directive {
            header.extend_from_slice(&line);
        }
        if out.as_ref().is_none_or(|(_, written)| *written >= piece) {
            if let Some((mut w, _)) = out.take() {
                w.flush()?;
            }
            let name = format!("u_ex261118_{pieces:03}.log");
            pieces += 1;
            let mut w = io::BufWriter::with_capacity(1 << 20, File::create(dir.join(name))?);
            let mut written = 0;
            if !directive {
                w.write_all(&header)?;
                written += header.len() as u64;
                lines += header.iter().filter(|&&b| b == b'\n').count() as u64;
            }
            out = Some((w, written));
        }
        if let Some((w, written)) = out.as_mut() {
            w.write_all(&line)?;
            *written += line.len() as u64;
        }
        lines += 1;
    }
    if let Some((mut w, _)) = out.take() {
        w.flush()?;
    }
    let total = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok((lines, total))
}
