use super::*;

fn read_text(text: &str) -> (Vec<AncmSession>, Stats) {
    read_ancm(text.as_bytes()).unwrap()
}

fn corpus(name: &str) -> Option<Vec<u8>> {
    let path = crate::input::corpus::path(&format!("ancm/{name}"))?;
    Some(std::fs::read(path).unwrap())
}

#[test]
fn the_old_format_2_2_sample_is_in_process() {
    let Some(bytes) = corpus("aspnetcore__issue11885_ancm.log") else {
        return;
    };
    assert!(looks_like_ancm_log(&bytes));
    let mut entries = Vec::new();
    let stats = read_entries(&bytes[..], |e| entries.push(e.clone())).unwrap();
    assert_eq!((stats.lines, stats.records, stats.malformed), (12, 10, 0));
    assert!(entries.iter().all(|e| e.time.is_none() && e.pid.is_none()));
    let (sessions, stats) = read_ancm(&bytes[..]).unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!((s.pid, s.entries, s.first), (Some(492), 10, None));
    assert_eq!(s.version(), Some("12.2.19109.5"));
    assert_eq!(s.modules.len(), 1);
    assert_eq!(
        s.modules[0].path,
        r"C:\Program Files\IIS\Asp.Net Core Module\V2\aspnetcorev2.dll"
    );
    // The shim resolving hostfxr is the in-process path: 2.2's 502.5 is its start failure.
    assert_eq!(s.hosting, Hosting::InProcess);
    assert_eq!(s.process_path.as_deref(), Some("dotnet"));
    assert_eq!(
        s.arguments.as_deref(),
        Some(r".\Cccn.NetworkImport.Manager.dll exec .\Cccn.NetworkImport.Manager.dll")
    );
    assert_eq!(s.app_path.as_deref(), Some(r"G:\Web\rosters\"));
    assert_eq!(s.app_kind.as_deref(), Some("portable"));
    assert_eq!(s.dotnet_known, None);
    assert_eq!(
        s.dotnet_found,
        [
            r"C:\Program Files\dotnet\dotnet.exe",
            r"C:\Program Files (x86)\dotnet\dotnet.exe"
        ]
    );
    assert_eq!(s.is_x64, Some(true));
    assert_eq!(
        s.dotnet.as_deref(),
        Some(r"C:\Program Files\dotnet\dotnet.exe")
    );
    assert_eq!(
        (s.hostfxr.as_deref(), s.dotnet_checking.as_deref()),
        (None, None)
    );
    assert!(s.dotnet_rejected.is_empty());
    assert!(s.failures.is_empty() && s.shutdown.is_empty());
    assert_eq!(s.last_step, "Binary type 6");
    assert!(
        stats
            .notes
            .iter()
            .any(|n| n == "process 492: ends mid-startup: the last step logged is 'Binary type 6'"),
        "{:?}",
        stats.notes
    );
    assert!(
        stats
            .notes
            .iter()
            .any(|n| n.contains("cannot be placed in time"))
    );
}

#[test]
fn the_old_format_in_process_sample_on_a_unc_share() {
    let Some(bytes) = corpus("aspnetcore__issue24428_aspnetcore-debug.log") else {
        return;
    };
    let (sessions, stats) = read_ancm(&bytes[..]).unwrap();
    assert_eq!((stats.lines, stats.records, stats.malformed), (9, 9, 0));
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!((s.pid, s.entries), (Some(8456), 9));
    assert_eq!(s.modules[0].module, "aspnetcorev2_inprocess.dll");
    assert_eq!(s.version(), Some("13.1.20169.6"));
    assert_eq!(s.hosting, Hosting::InProcess);
    assert_eq!(s.process_path.as_deref(), Some(r".\QQQService.Web.exe"));
    assert_eq!(s.arguments.as_deref(), Some(r".\QQQService.Web.dll"));
    assert_eq!(
        s.app_path.as_deref(),
        Some(r"\\physicalservername.domainname\CodeFolder\WWW\qqq-svc\")
    );
    assert_eq!(
        s.app_kind.as_deref(),
        Some("standalone or portable with bootstrapper")
    );
    assert_eq!(
        s.dotnet_known.as_deref(),
        Some(r"C:\Program Files\dotnet\dotnet.exe")
    );
    assert_eq!(
        s.hostfxr.as_deref(),
        Some(r"\\physicalservername.domainname\CodeFolder\WWW\qqq-svc\.\hostfxr.dll")
    );
    assert!(s.hostfxr_app_local);
    assert_eq!((s.is_x64, s.dotnet.as_deref()), (None, None));
    assert!(
        s.cut_note()
            .unwrap()
            .contains("hostfxr.dll found app local")
    );
}

#[test]
fn the_new_format_sample_has_times_and_a_value_over_three_lines() {
    let Some(bytes) = corpus("aspnetcore__issue58939_ancm-debug.log") else {
        return;
    };
    let mut entries = Vec::new();
    let stats = read_entries(&bytes[..], |e| entries.push(e.clone())).unwrap();
    assert_eq!((stats.lines, stats.records, stats.malformed), (11, 9, 0));
    assert!(entries.iter().all(|e| e.pid == Some(64988)));
    assert_eq!(entries[7].text.lines().count(), 3);
    let (sessions, stats) = read_ancm(&bytes[..]).unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!((s.pid, s.entries), (Some(64988), 9));
    assert_eq!(s.version(), Some("19.0.24303.0"));
    // 2024-11-23 is day 20050 since the epoch.
    let day = crate::time::parse_date(b"2024-11-23").unwrap();
    let at = |ms: i64| Some(crate::time::at(day, ((3 * 60 + 46) * 60 + 26) * 1000 + ms));
    assert_eq!((s.first, s.last), (at(12), at(244)));
    assert_eq!(
        s.app_path.as_deref(),
        Some(r"h:\root\home\henryxxx\www\homenew\")
    );
    assert_eq!(s.dotnet_found.len(), 2);
    assert_eq!(s.is_x64, Some(false));
    assert_eq!(s.hosting, Hosting::InProcess);
    assert_eq!(
        (s.dotnet.as_deref(), s.dotnet_checking.as_deref()),
        (None, None)
    );
    assert_eq!(
        s.last_step,
        "Current process bitness type detected as isX64=0"
    );
    assert!(!stats.notes.iter().any(|n| n.contains("placed in time")));
}

/// Lines in the shapes ANCM's source writes them: `LogHResultFailed` (`Failed HRESULT
/// returned: 0x%x at %s:%d `), `LogLastError`, an `Event Log:` message with its end line, and
/// the in-process shutdown (`OnGlobalStopListening`, `Stopping CLR`, `Starting shutdown
/// sequence %d`, `Stopping file watching.`).
const FAILING: &str = "\
[2026-11-18T11:05:00.100Z, PID: 4120] [aspnetcorev2.dll] Initializing logs for 'C:\\Program Files\\IIS\\Asp.Net Core Module\\V2\\aspnetcorev2.dll'. Process Id: 4120. File Version: 19.0.24303.0. Description: IIS ASP.NET Core Module V2. Commit: .\r
[2026-11-18T11:05:00.130Z, PID: 4120] [aspnetcorev2.dll] Loading request handler:  'C:\\Program Files\\dotnet\\shared\\Microsoft.AspNetCore.App\\8.0.11\\aspnetcorev2_inprocess.dll'\r
[2026-11-18T11:05:00.180Z, PID: 4120] [aspnetcorev2_inprocess.dll] Starting in-process worker thread\r
[2026-11-18T11:05:00.190Z, PID: 4120] [aspnetcorev2_inprocess.dll] Resolving hostfxr parameters for application: 'dotnet' arguments: '.\\Shop.dll --cs \"Server=db;Password=hunter2;\"' path: 'C:\\inetpub\\shop\\'\r
[2026-11-18T11:05:01.400Z, PID: 4120] [aspnetcorev2_inprocess.dll] Failed HRESULT returned: 0x8007023e at D:\\a\\_work\\1\\s\\src\\Servers\\IIS\\AspNetCoreModuleV2\\InProcessRequestHandler\\dllmain.cpp:131 \r
[2026-11-18T11:05:01.401Z, PID: 4120] [aspnetcorev2_inprocess.dll] D:\\a\\_work\\1\\s\\src\\Servers\\IIS\\AspNetCoreModuleV2\\CommonLib\\HostFxrResolver.cpp:98 Operation failed with LastError: 2 HR: 0x80070002\r
[2026-11-18T11:05:01.402Z, PID: 4120] [aspnetcorev2_inprocess.dll] Event Log: 'Application '/LM/W3SVC/2/ROOT' with physical root 'C:\\inetpub\\shop\\' failed to load coreclr.' \r
End Event Log Message.\r
[2026-11-18T11:05:02.000Z, PID: 4120] [aspnetcorev2.dll] ASPNET_CORE_GLOBAL_MODULE::OnGlobalStopListening\r
[2026-11-18T11:05:02.010Z, PID: 4120] [aspnetcorev2_inprocess.dll] Stopping CLR\r
[2026-11-18T11:05:02.020Z, PID: 4120] [aspnetcorev2_inprocess.dll] Starting shutdown sequence 0\r
[2026-11-18T11:05:02.030Z, PID: 4120] [aspnetcorev2_inprocess.dll] Stopping file watching.\r
";

#[test]
fn a_failed_start_and_its_shutdown() {
    let (sessions, stats) = read_text(FAILING);
    assert_eq!((stats.records, stats.malformed), (11, 0));
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s.hosting, Hosting::InProcess);
    assert_eq!(s.failures.len(), 2);
    assert_eq!(s.failures[0].hresult, 0x8007_023E);
    assert_eq!(
        s.failures[0].location.as_deref(),
        Some(
            r"D:\a\_work\1\s\src\Servers\IIS\AspNetCoreModuleV2\InProcessRequestHandler\dllmain.cpp:131"
        )
    );
    assert_eq!(s.failures[1].hresult, 0x8007_0002);
    assert_eq!(
        s.failures[1].location.as_deref(),
        Some(r"D:\a\_work\1\s\src\Servers\IIS\AspNetCoreModuleV2\CommonLib\HostFxrResolver.cpp:98")
    );
    assert_eq!(
        s.events,
        [
            r"Application '/LM/W3SVC/2/ROOT' with physical root 'C:\inetpub\shop\' failed to load coreclr."
        ]
    );
    assert_eq!(
        s.shutdown,
        [
            "ASPNET_CORE_GLOBAL_MODULE::OnGlobalStopListening",
            "Stopping CLR",
            "Starting shutdown sequence 0",
            "Stopping file watching."
        ]
    );
    assert_eq!(s.cut_note(), None);
    // The password in the arguments is never kept.
    let args = s.arguments.as_deref().unwrap();
    assert!(
        !args.contains("hunter2") && args.contains("Password=***"),
        "{args}"
    );
}

#[test]
fn hostile_bytes_empty_and_junk() {
    let (sessions, stats) = read_text("");
    assert!(sessions.is_empty());
    assert_eq!(stats.records, 0);
    let text: &[u8] = b"junk before\n[aspnetcorev2.dll] \x1b[31mred\x07 \xe2\x80\xae\n\xff\n[aspnetcorev2.dll] Failed HRESULT returned: 0xZZ at x\n[aspnetcorev2.dll] Failed HRESULT returned: 0x123456789abcdef012 at x\n";
    let (sessions, stats) = read_ancm(text).unwrap();
    assert_eq!((stats.records, stats.malformed), (3, 1));
    assert!(sessions[0].failures.is_empty());
    let long = format!("[aspnetcorev2.dll] Event Log: '{}'\n", "x".repeat(10_000));
    let mut entries = Vec::new();
    read_entries(long.as_bytes(), |e| entries.push(e.clone())).unwrap();
    assert!(entries[0].text.len() <= TEXT_MAX);
    let (sessions, _) = read_text(&long);
    assert!(sessions[0].events[0].len() <= 600);
    // Bad stamps and unknown modules are not entries.
    assert!(!looks_like_ancm_log(
        b"[2024-13-23T03:46:26.012Z, PID: 1] [aspnetcorev2.dll] x\n"
    ));
    assert!(!looks_like_ancm_log(
        b"[2024-11-23T03:46:26.012Z, PID: x] [aspnetcorev2.dll] x\n"
    ));
    assert!(!looks_like_ancm_log(b"[other.dll] x\n"));
    assert!(looks_like_ancm_log(
        b"\xEF\xBB\xBF\r\n[aspnetcorev2_outofprocess.dll] x\r\n"
    ));
}

#[test]
fn a_dotnet_of_the_other_bitness_is_passed_over() {
    // HostFxrResolver: `Processing entry`, `Binary type N` (6 is 64-bit) for each where.exe
    // line until one matches the worker process.
    let text = "[aspnetcorev2.dll] Current process bitness type detected as isX64=0\n\
[aspnetcorev2.dll] Processing entry 'C:\\Program Files\\dotnet\\dotnet.exe'\n\
[aspnetcorev2.dll] Binary type 6\n\
[aspnetcorev2.dll] Processing entry 'C:\\Program Files (x86)\\dotnet\\dotnet.exe'\n\
[aspnetcorev2.dll] Binary type 0\n\
[aspnetcorev2.dll] Processing entry 'D:\\tools\\dotnet.exe'\n";
    let (sessions, _) = read_text(text);
    let s = &sessions[0];
    assert_eq!(s.dotnet_rejected, [r"C:\Program Files\dotnet\dotnet.exe"]);
    assert_eq!(
        s.dotnet.as_deref(),
        Some(r"C:\Program Files (x86)\dotnet\dotnet.exe")
    );
    assert_eq!(s.dotnet_checking.as_deref(), Some(r"D:\tools\dotnet.exe"));
    assert_eq!(s.pid, None);
}
