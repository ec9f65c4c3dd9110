//! Layouts told from paths alone, and the files each names as not used.

use super::*;

const APP_SERVICE: &[&str] = &[
    "dl/LogFiles/http/RawLogs/18e609-202611181000.log",
    "dl/LogFiles/http/RawLogs/4c1f2a-202611181000.log",
    "dl/LogFiles/W3SVC1416782824/fr000001.xml",
    "dl/LogFiles/W3SVC1416782824/freb.xsl",
    "dl/LogFiles/DetailedErrors/ErrorPage00001.htm",
    "dl/LogFiles/eventlog.xml",
    "dl/LogFiles/kudu/trace/2026-11-18T09-58-01_18e609_001_POST_api-zipdeploy_202_3s.xml",
    "dl/LogFiles/Application/18e609-4120-638674000000000000.txt",
    "dl/deployments/3f0c1d/log.log",
    "dl/LogFiles/stdout_20261118095812_4120.log",
];

#[test]
fn app_service_download_is_told_by_its_folders() {
    let b = Bundles::recognise(APP_SERVICE.iter().copied());
    assert_eq!(b.found.len(), 1, "{b:?}");
    let f = &b.found[0];
    assert_eq!(f.layout, Layout::AppService);
    assert_eq!(f.root, "dl");
    assert_eq!(f.instances, ["18e609", "4c1f2a"]);
}

#[test]
fn app_service_files_that_are_not_evidence_say_why() {
    let b = Bundles::recognise(APP_SERVICE.iter().copied());
    let reason = |p: &str| b.not_used(p);
    assert_eq!(reason(APP_SERVICE[3]), Some(XSL));
    assert_eq!(reason(APP_SERVICE[6]), Some(KUDU));
    assert_eq!(reason(APP_SERVICE[7]), Some(APP_LOG));
    assert_eq!(reason(APP_SERVICE[8]), Some(DEPLOYMENT));
    // Evidence, read by its reader (or waiting for one): never "not used".
    for p in [0, 2, 4, 5, 9] {
        assert_eq!(reason(APP_SERVICE[p]), None, "{}", APP_SERVICE[p]);
    }
}

#[test]
fn archive_members_and_backslashes_are_paths_too() {
    let b = Bundles::recognise([
        "in/site.zip!LogFiles\\http\\RawLogs\\0a1b2c-2026111810.log",
        "in/site.zip!LogFiles\\kudu\\trace\\x.xml",
    ]);
    assert_eq!(b.found[0].root, "in/site.zip");
    assert_eq!(b.found[0].instances, ["0a1b2c"]);
    assert_eq!(
        b.not_used("in/site.zip!LogFiles\\kudu\\trace\\x.xml"),
        Some(KUDU)
    );
}

#[test]
fn roots_keep_the_path_as_written() {
    let b = Bundles::recognise(["/abs/dl/LogFiles/eventlog.xml"]);
    assert_eq!(b.found[0].root, "/abs/dl");
    let b = Bundles::recognise(["C:\\cases\\dl\\LogFiles\\eventlog.xml"]);
    assert_eq!(b.found[0].root, "C:\\cases\\dl");
    let b = Bundles::recognise(["./LogFiles/eventlog.xml"]);
    assert_eq!(b.found[0].root, "");
    assert_eq!(b.not_used("./LogFiles/kudu/trace/a.xml"), Some(KUDU));
    let b = Bundles::recognise(["x/dl/LogFiles/eventlog.xml", "x/farm/u_ex261118.log"]);
    assert!(b.holds("x/dl/LogFiles/http/RawLogs/a.log"));
    assert!(!b.holds("x/farm/u_ex261118.log"));
}

#[test]
fn instance_only_from_a_rawlogs_name_of_app_services_shape() {
    let id = |p: &str| app_service_instance(Path::new(p));
    assert_eq!(
        id("LogFiles/http/RawLogs/18e609-202611181000.log").as_deref(),
        Some("18e609")
    );
    assert_eq!(id("LogFiles/http/RawLogs/log.txt"), None);
    assert_eq!(id("LogFiles/http/RawLogs/serilog-20261118.log"), None);
    assert_eq!(id("LogFiles/http/RawLogs/18e609-x.log"), None);
    assert_eq!(id("W3SVC1/18e609-202611181000.log"), None);
    assert_eq!(id("logs/http/RawLogs/18e609-202611181000.log"), None);
}

const LOGCATCHER: &[&str] = &[
    "LOGS-2026-11-18-T-12-00-00.zip!General/HttpErr/httperr1.log",
    "LOGS-2026-11-18-T-12-00-00.zip!General/IISConfig/applicationHost.config",
    "LOGS-2026-11-18-T-12-00-00.zip!General/IISConfig/administration.config",
    "LOGS-2026-11-18-T-12-00-00.zip!General/NETFramework/Framework64/v4.0.30319/machine.config",
    "LOGS-2026-11-18-T-12-00-00.zip!General/Application.evtx",
    "LOGS-2026-11-18-T-12-00-00.zip!General/SiteOverview.csv",
    "LOGS-2026-11-18-T-12-00-00.zip!General/OsInfo.txt",
    "LOGS-2026-11-18-T-12-00-00.zip!General/LOGS.CSV",
    "LOGS-2026-11-18-T-12-00-00.zip!General/ToolLog.log",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Shop/IISLogs/u_ex261118.log",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Shop/FrebLogs/fr000001.xml",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Shop/FrebLogs/freb.xsl",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Shop/web.config",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Shop/bin/Shop.dll.config",
    "LOGS-2026-11-18-T-12-00-00.zip!Sites/Default Web Site/IISLogs/u_ex261118.log",
];

#[test]
fn logcatcher_zip_is_told_by_general_and_sites() {
    let b = Bundles::recognise(LOGCATCHER.iter().copied());
    assert_eq!(b.found.len(), 1, "{b:?}");
    assert_eq!(b.found[0].layout, Layout::LogCatcher);
    assert_eq!(b.found[0].root, "LOGS-2026-11-18-T-12-00-00.zip");
    assert_eq!(b.found[0].sites, ["Default Web Site", "Shop"]);
    let reasons: Vec<Option<&str>> = LOGCATCHER.iter().map(|p| b.not_used(p)).collect();
    assert_eq!(
        reasons,
        [
            None,
            None,
            Some(ADMIN_CONFIG),
            Some(NET_CONFIG),
            None,
            Some(SITE_OVERVIEW),
            Some(OS_INFO),
            Some(TOOL_LIST),
            Some(TOOL_LOG),
            None,
            None,
            Some(XSL),
            None,
            Some(BIN_CONFIG),
            None,
        ]
    );
}

#[test]
fn plain_copy_needs_two_of_the_system_folders() {
    let one = Bundles::recognise(["web01/inetpub/logs/LogFiles/W3SVC1/u_ex261118.log"]);
    assert!(one.is_empty(), "{one:?}");
    // The sample farm's shape: no bundle.
    let farm = Bundles::recognise([
        "farm/web01/W3SVC1/u_ex261118.log",
        "farm/web01/HTTPERR/httperr1.log",
        "farm/web01/FailedReqLogFiles/W3SVC1/fr000412.xml",
        "farm/web01/EventLogs/System.xml",
    ]);
    assert!(farm.is_empty(), "{farm:?}");
    let two = Bundles::recognise([
        "c/inetpub/logs/LogFiles/W3SVC1/u_ex261118.log",
        "c/Windows/System32/LogFiles/HTTPERR/httperr1.log",
        "c/Windows/System32/inetsrv/config/applicationHost.config",
        "c/Windows/System32/inetsrv/config/schema/IIS_schema.xml",
        "c/Windows/System32/winevt/Logs/System.evtx",
    ]);
    assert_eq!(two.found.len(), 1, "{two:?}");
    assert_eq!(two.found[0].layout, Layout::PlainCopy);
    assert_eq!(two.found[0].root, "c");
    assert_eq!(
        two.not_used("c/Windows/System32/inetsrv/config/schema/IIS_schema.xml"),
        Some(SCHEMA)
    );
    assert_eq!(
        two.not_used("c/Windows/System32/inetsrv/config/applicationHost.config"),
        None
    );
}

#[test]
fn nothing_bundle_shaped_in_plain_log_folders() {
    let b = Bundles::recognise([
        "logs/u_ex261118.log",
        "LogFiles/W3SVC1/u_ex261118.log",
        "inetpub/logs/FailedReqLogFiles/W3SVC1/fr000001.xml",
        "General/notes.txt",
        "Sites/x.log",
    ]);
    assert!(b.is_empty(), "{b:?}");
    assert_eq!(b.not_used("LogFiles/kudu/trace/x.xml"), None);
}
