//! `scan --html FILE` in a real browser: headless Chromium renders the page (the DOM has the
//! groups), draws the chart (a screenshot has the series' colours where the chart is), and
//! logs nothing to its console (no script error, nothing the page's security policy had to
//! block). Skipped with a note when Chromium is not installed, except under CI (env `CI`),
//! where its absence fails the test.

use std::io::BufReader;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// The first series colour of the chart (`report::html::SERIES_COLOURS[0]`), and the fifth
/// (the HTTP.sys 503.AppOffline series of the farm).
const FIRST_SERIES: [u8; 3] = [0xe1, 0x57, 0x59];
const FIFTH_SERIES: [u8; 3] = [0x59, 0xa1, 0x4f];

/// The Chromium executable, or `None` (with a note) when there is none and CI is not set.
fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser"] {
        let found = Process::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            return Some(name);
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("chromium is not installed, and CI is set: .ci/run installs it");
    }
    eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    None
}

/// Runs headless Chromium on `page` with `args` and a fresh profile; returns its stdout and
/// stderr. Chromium that hangs is killed after two minutes (a guard, not a measurement).
fn run_chromium(browser: &str, page: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = Process::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    assert!(status.success(), "chromium failed: {stderr}");
    (stdout, stderr)
}

/// What the page wrote to the browser console (script errors, blocked loads).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// Writes the HTML report of `input` into a temporary folder.
fn html_report(input: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    iisdiag()
        .arg("scan")
        .arg(input)
        .arg("--html")
        .arg(&page)
        .assert()
        .success();
    (dir, page)
}

#[test]
fn html_report_renders_with_no_console_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let (_dir, page) = html_report(&repo("testdata/farm"));
    let (dom, stderr) = run_chromium(browser, &page, &["--dump-dom"]);
    for needle in [
        "<h1>iisdiag report</h1>",
        "<code>502.3.12002</code>",
        "<code>500.19.13</code>",
        "<code>401.2.5</code>",
        "<h2 id=\"timeline\">Failures over time</h2>",
        "<rect class=\"bar\"",
        "<code>503.AppOffline</code>",
        "Failed Request Tracing: 2 trace(s)",
        "<ol class=\"checks\">",
    ] {
        assert!(dom.contains(needle), "{needle} not in the rendered DOM");
    }
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "console messages: {console:#?}");
}

#[test]
fn html_chart_is_visible_in_a_screenshot() {
    let Some(browser) = chromium() else {
        return;
    };
    let (dir, page) = html_report(&repo("testdata/farm"));
    let shot = dir.path().join("shot.png");
    let (_, stderr) = run_chromium(
        browser,
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,900",
        ],
    );
    assert!(console_lines(&stderr).is_empty(), "{stderr}");
    let image = Rgb::read(&shot);
    assert_eq!((image.width, image.height), (1200, 900));
    // The 502.3.12002 bars (10:40-10:50): columns of the first series' colour at least 80
    // px tall, inside the first screen (the chart comes right after the totals). A legend
    // swatch is 12 px tall and does not count.
    let red = image.tall_columns(FIRST_SERIES, 80);
    assert!(red.len() >= 20, "first-series bars {} px wide", red.len());
    // The HTTP.sys 503 bar (11:40), to the right of them in time.
    let green = image.tall_columns(FIFTH_SERIES, 80);
    assert!(
        green.len() >= 10,
        "fifth-series bar {} px wide",
        green.len()
    );
    assert!(
        green.iter().min() > red.iter().max(),
        "the 11:40 bar is not right of the 10:40 bars: {red:?} {green:?}"
    );
}

#[test]
fn html_escapes_what_the_logs_hold() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("u_ex261118.log");
    std::fs::write(
        &log,
        "#Fields: date time cs-method cs-uri-stem cs-uri-query c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken\n\
         2026-11-18 10:00:00 GET /<script>alert(1)</script> - 203.0.113.9 Mozilla/5.0 500 0 0 15\n\
         2026-11-18 10:01:00 GET /\"><img/src=x/onerror=alert(2)> - 203.0.113.9 x 500 0 0 15\n",
    )
    .unwrap();
    let page = dir.path().join("report.html");
    iisdiag()
        .arg("scan")
        .arg(&log)
        .arg("--html")
        .arg(&page)
        .assert()
        .success();
    // `<wbr>` (a place a URL may wrap) is not text.
    let html = std::fs::read_to_string(&page).unwrap().replace("<wbr>", "");
    assert!(
        html.contains("/&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("/&quot;&gt;&lt;img/src=x/onerror=alert(2)&gt;"));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    let Some(browser) = chromium() else {
        return;
    };
    let (dom, stderr) = run_chromium(browser, &page, &["--dump-dom"]);
    let dom = dom.replace("<wbr>", "");
    // The browser read the URLs as text: no element came out of them.
    assert!(!dom.contains("<script"), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let console = console_lines(&stderr);
    assert!(console.is_empty(), "console messages: {console:#?}");
}

#[test]
fn html_goes_to_a_file_and_the_table_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("6562 requests read"), "{stdout}");
    // The HTML always has the timeline; the table only with --timeline.
    assert!(!stdout.contains("Failures over time"));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Failures over time"));
    // An existing file is kept unless --force; an input is never written over.
    iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .arg("--html")
        .arg(&page)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--html"));
    iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .arg("--html")
        .arg(&page)
        .arg("--force")
        .assert()
        .success();
    let log = repo("testdata/farm/web01/W3SVC1/u_ex261118.log");
    let before = std::fs::read(&log).unwrap();
    iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .arg("--html")
        .arg(&log)
        .arg("--force")
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&log).unwrap(), before);
    // `-` is standard output, instead of the table.
    let out = iisdiag()
        .arg("scan")
        .arg(repo("testdata/farm"))
        .args(["--html", "-"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

/// A decoded screenshot, as RGB.
struct Rgb {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

impl Rgb {
    fn read(path: &Path) -> Rgb {
        let mut decoder = png::Decoder::new(BufReader::new(std::fs::File::open(path).unwrap()));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("unexpected colour type {other:?}"),
        };
        let (width, height) = (info.width as usize, info.height as usize);
        let mut pixels = Vec::with_capacity(width * height);
        for row in buf[..info.line_size * height].chunks(info.line_size) {
            for px in row[..width * channels].chunks(channels) {
                pixels.push([px[0], px[1], px[2]]);
            }
        }
        Rgb {
            width,
            height,
            pixels,
        }
    }

    /// The x of every column that holds at least `min` pixels of (within a little) `colour`.
    fn tall_columns(&self, colour: [u8; 3], min: usize) -> Vec<usize> {
        let near = |p: &[u8; 3]| (0..3).all(|i| p[i].abs_diff(colour[i]) <= 6);
        (0..self.width)
            .filter(|&x| {
                (0..self.height)
                    .filter(|&y| near(&self.pixels[y * self.width + x]))
                    .count()
                    >= min
            })
            .collect()
    }
}
