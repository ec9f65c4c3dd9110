//! ASP.NET Core Module logs for the bench, deterministic from a seed: one large
//! `aspnetcore-debug.log` (the module's own account of every process it started) and a folder
//! of `stdout_<yyyyMMddHHmmss>_<pid>.log` files (the apps' console output).
//!
//! Modelled on the corpus (`../shared/corpus/ancm`) and `testdata/ancm`: a server whose pool
//! recycles all day appends one session per worker process to the same debug log: the shim's
//! hostfxr resolution (with `where.exe`'s answer over several lines), the in-process handler's
//! start, and either a clean stop or a failed start (`Event Log:` message over several lines,
//! `Failed HRESULT returned:`). The stdout logs are what such apps print: console-logger
//! `info:` entries for the requests they serve, and for some an `Unhandled exception.` block
//! before or after `Application started.`.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{self, Rng};

/// What the generator wrote, to check `scan` against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AncmCounts {
    /// Bytes of the debug log and the stdout logs together.
    pub bytes: u64,
    /// Entries of the debug log (an entry over several lines counts once).
    pub entries: u64,
    /// Worker processes (sessions) in the debug log, and those that failed to start.
    pub sessions: u64,
    pub failed_sessions: u64,
    /// Stdout logs, those whose app failed before it started, and after.
    pub stdout_logs: u64,
    pub failed_at_startup: u64,
    pub failed_after_start: u64,
}

/// Apps of the server: (site id, folder, assembly).
const APPS: [(u32, &str, &str); 4] = [
    (2, "shop", "Shop.Web"),
    (3, "api", "Contoso.Api"),
    (4, "portal", "Portal.Server"),
    (5, "hooks", "Hooks.Worker"),
];

/// Share of worker processes that fail to start (in every such log the cause of a 500.30).
const FAIL_SHARE: f64 = 0.15;

/// Writes the debug log of about `bytes` bytes at `path`.
pub fn write_debug_log(path: &Path, seed: u64, bytes: u64) -> io::Result<AncmCounts> {
    let mut rng = Rng::new(seed);
    let mut out = BufWriter::new(fs::File::create(path)?);
    let mut counts = AncmCounts::default();
    // 2026-11-18 00:00 UTC, in milliseconds.
    let mut ms = rng::days_from_civil(2026, 11, 18) * 86_400_000;
    let mut buf = Vec::with_capacity(16 << 10);
    while counts.bytes < bytes {
        buf.clear();
        let pid = 1000 + 4 * counts.sessions as u32;
        let app = *rng.pick(&APPS);
        let failed = rng.chance(FAIL_SHARE);
        counts.entries += session(&mut buf, &mut rng, &mut ms, pid, app, failed);
        counts.sessions += 1;
        counts.failed_sessions += u64::from(failed);
        counts.bytes += buf.len() as u64;
        out.write_all(&buf)?;
        // The next recycle, minutes to hours later.
        ms += 60_000 + rng.below(3_600_000) as i64;
    }
    out.flush()?;
    Ok(counts)
}

/// One worker process's entries; returns how many.
fn session(
    buf: &mut Vec<u8>,
    rng: &mut Rng,
    ms: &mut i64,
    pid: u32,
    (site, folder, dll): (u32, &str, &str),
    failed: bool,
) -> u64 {
    let root = format!("C:\\inetpub\\{folder}\\");
    let shim = "aspnetcorev2.dll";
    let handler = "aspnetcorev2_inprocess.dll";
    let shared = "C:\\Program Files\\dotnet\\shared\\Microsoft.AspNetCore.App\\8.0.11\\";
    let src = "D:\\a\\_work\\1\\s\\src\\Servers\\IIS\\AspNetCoreModuleV2";
    let mut lines: Vec<(&str, String)> = vec![
        (shim, format!("Initializing logs for 'C:\\Program Files\\IIS\\Asp.Net Core Module\\V2\\aspnetcorev2.dll'. Process Id: {pid}. File Version: 19.0.24303.0. Description: IIS ASP.NET Core Module V2. Commit: .")),
        (shim, format!("Resolving hostfxr parameters for application: 'dotnet' arguments: '.\\{dll}.dll' path: '{root}'")),
        (shim, "Known dotnet.exe location: ''".into()),
        (shim, "Process path 'dotnet.exe' is dotnet, treating application as portable".into()),
        (shim, "get_hostfxr_path skipped due to expandedProcessPath being dotnet.exe".into()),
        (shim, "Resolving absolute path to dotnet.exe from 'dotnet.exe'".into()),
        (shim, "Invoking where.exe to find dotnet.exe".into()),
        (shim, "where.exe invocation returned: 'C:\\Program Files\\dotnet\\dotnet.exe\r\nC:\\Program Files (x86)\\dotnet\\dotnet.exe\r\n'".into()),
        (shim, "Current process bitness type detected as isX64=1".into()),
        (shim, "Processing entry 'C:\\Program Files\\dotnet\\dotnet.exe'".into()),
        (shim, "Binary type 6".into()),
        (shim, "Parsed hostfxr options: dotnet location: 'C:\\Program Files\\dotnet\\dotnet.exe' hostfxr path: 'C:\\Program Files\\dotnet\\host\\fxr\\8.0.11\\hostfxr.dll' arguments:".into()),
        (shim, "Argument[0] = 'C:\\Program Files\\dotnet\\dotnet.exe'".into()),
        (shim, format!("Argument[1] = '{root}{dll}.dll'")),
        (shim, format!("Loading request handler:  '{shared}aspnetcorev2_inprocess.dll'")),
        (shim, "Creating handler application".into()),
        (handler, format!("Initializing logs for '{shared}aspnetcorev2_inprocess.dll'. Process Id: {pid}. File Version: 18.0.24303.11. Description: IIS ASP.NET Core Module V2 Request Handler. Commit: .")),
        (handler, "Waiting for initialization".into()),
        (handler, format!("Starting app_offline monitoring in application '{root}'")),
        (handler, "Starting file watcher thread".into()),
        (handler, "Starting in-process worker thread".into()),
        (handler, format!("Resolving hostfxr parameters for application: 'dotnet' arguments: '.\\{dll}.dll' path: '{root}'")),
        (handler, "Initial Dll directory: '', current directory: 'C:\\Windows\\system32\\inetsrv'".into()),
        (handler, "Setting dll directory to C:\\Windows\\system32\\inetsrv".into()),
        (handler, format!("Setting current directory to {root} ")),
    ];
    if failed {
        lines.extend([
            (handler, "Stopping in-process worker thread".into()),
            (handler, "Stopping CLR".into()),
            (handler, format!("InvalidOperationException 'CLR worker thread exited prematurely' caught at {src}\\InProcessRequestHandler\\inprocessapplication.cpp:245 ")),
            (handler, format!("Event Log: 'Application '/LM/W3SVC/{site}/ROOT' with physical root '{root}' failed to load coreclr. Exception message:\r\nCLR worker thread exited prematurely' \r\nEnd Event Log Message.")),
            (handler, format!("Failed HRESULT returned: 0x8007023e at {src}\\InProcessRequestHandler\\dllmain.cpp:131 ")),
            (shim, format!("Failed HRESULT returned: 0x8007023e at {src}\\AspNetCore\\applicationinfo.cpp:195 ")),
            (shim, format!("Failed HRESULT returned: 0x8007023e at {src}\\AspNetCore\\applicationinfo.cpp:108 ")),
        ]);
    } else {
        lines.extend([
            (
                shim,
                "ASPNET_CORE_GLOBAL_MODULE::OnGlobalStopListening".into(),
            ),
            (handler, "Starting shutdown sequence".into()),
            (handler, "Stopping file watching.".into()),
            (handler, "Stopping in-process worker thread".into()),
            (handler, "Stopping CLR".into()),
            (handler, "Clr thread wait ended: clrThreadExited: 1".into()),
            (shim, "Shutting down".into()),
        ]);
    }
    for (module, text) in &lines {
        // A long wait between start and stop, milliseconds within each step.
        *ms += if text.contains("OnGlobalStopListening") {
            600_000 + rng.below(3_600_000) as i64
        } else {
            rng.range(1, 30) as i64
        };
        buf.push(b'[');
        rng::push_datetime(buf, *ms, b'T');
        buf.push(b'.');
        rng::push_padded(buf, ms.rem_euclid(1000) as u64, 3);
        buf.extend_from_slice(format!("Z, PID: {pid}] [{module}] {text}\r\n").as_bytes());
    }
    lines.len() as u64
}

/// Writes `logs` stdout logs of about `each` bytes into `folder`; adds them to `counts`.
pub fn write_stdout_logs(
    folder: &Path,
    seed: u64,
    logs: u64,
    each: u64,
    counts: &mut AncmCounts,
) -> io::Result<()> {
    fs::create_dir_all(folder)?;
    let mut rng = Rng::new(seed ^ 0x5700);
    let day = rng::days_from_civil(2026, 11, 18);
    for i in 0..logs {
        let start = day * 86_400_000 + (i as i64) * 600_000;
        let mut name = b"stdout_".to_vec();
        rng::push_datetime(&mut name, start, b' ');
        let name: String = String::from_utf8_lossy(&name)
            .chars()
            .filter(char::is_ascii_digit)
            .take(14)
            .collect();
        let path = folder.join(format!("stdout_{name}_{}.log", 5000 + 4 * i));
        let fate = rng.below(10);
        let text = stdout_log(&mut rng, each, fate);
        counts.bytes += text.len() as u64;
        counts.stdout_logs += 1;
        counts.failed_at_startup += u64::from(fate == 0);
        counts.failed_after_start += u64::from(fate == 1);
        fs::write(path, text)?;
    }
    Ok(())
}

/// One app's console output: `fate` 0 fails before it starts, 1 fails after, others run on.
fn stdout_log(rng: &mut Rng, each: u64, fate: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(each as usize + 4096);
    out.extend_from_slice(b"warn: Microsoft.AspNetCore.DataProtection.Repositories.EphemeralXmlRepository[50]\r\n      Using an in-memory repository. Keys will not be persisted to storage.\r\n");
    if fate == 0 {
        out.extend_from_slice(EXCEPTION.as_bytes());
        return out;
    }
    out.extend_from_slice(b"info: Microsoft.Hosting.Lifetime[14]\r\n      Now listening on: http://127.0.0.1:13452\r\ninfo: Microsoft.Hosting.Lifetime[0]\r\n      Application started. Press Ctrl+C to shut down.\r\ninfo: Microsoft.Hosting.Lifetime[0]\r\n      Hosting environment: Production\r\n");
    let paths = [
        "/",
        "/cart",
        "/api/orders",
        "/api/orders/42",
        "/health",
        "/login",
    ];
    while (out.len() as u64) < each {
        let path = rng.pick(&paths);
        let ms = rng.exp(40.0);
        let status = *rng.pick(&[200, 200, 200, 302, 304, 404]);
        out.extend_from_slice(format!(
            "info: Microsoft.AspNetCore.Hosting.Diagnostics[1]\r\n      Request starting HTTP/1.1 GET http://shop.example{path} - - -\r\ninfo: Microsoft.AspNetCore.Routing.EndpointMiddleware[0]\r\n      Executing endpoint '{path}'\r\ninfo: Microsoft.AspNetCore.Hosting.Diagnostics[2]\r\n      Request finished HTTP/1.1 GET http://shop.example{path} - {status} - text/html;+charset=utf-8 {ms:.4}ms\r\n"
        ).as_bytes());
    }
    if fate == 1 {
        out.extend_from_slice(EXCEPTION.as_bytes());
    } else {
        out.extend_from_slice(
            b"info: Microsoft.Hosting.Lifetime[0]\r\n      Application is shutting down...\r\n",
        );
    }
    out
}

/// The exception of `testdata/stdout`: a connection string missing from the configuration.
const EXCEPTION: &str = "Unhandled exception. System.InvalidOperationException: The ConnectionString property has not been initialized.\r\n   at Microsoft.Data.SqlClient.SqlConnection.PermissionDemand()\r\n   at Microsoft.Data.SqlClient.SqlConnectionFactory.PermissionDemand(DbConnection outerConnection)\r\n   at Microsoft.EntityFrameworkCore.Storage.RelationalConnection.OpenDbConnection(Boolean errorsExpected)\r\n   at Program.<Main>$(String[] args) in C:\\src\\Shop.Web\\Program.cs:line 31\r\n";
