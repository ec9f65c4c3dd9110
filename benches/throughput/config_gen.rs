//! An `applicationHost.config` for the bench, deterministic from a seed, of the size the
//! issue names: 60 sites, about 1 MB. Its shape follows the servers of the corpus: pools with
//! process model and recycling settings, sites with several bindings and applications,
//! `globalModules` and `handlers` lists as long as a full install writes, a MIME map, and a
//! `<location path>` per site with request filtering, authentication, rewrite rules and a
//! proxy timeout.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// What a generated configuration holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigCounts {
    pub bytes: u64,
    pub sites: u64,
    pub pools: u64,
    pub applications: u64,
}

/// Sites in the file, as the issue asks.
pub const SITES: u64 = 60;
/// Applications under each site's root application.
const APPS_PER_SITE: u64 = 16;
/// Rewrite rules in each site's `<location>`.
const RULES_PER_SITE: u64 = 26;

const MODULES: [&str; 13] = [
    "UriCacheModule",
    "FileCacheModule",
    "TokenCacheModule",
    "HttpCacheModule",
    "StaticCompressionModule",
    "DynamicCompressionModule",
    "DefaultDocumentModule",
    "DirectoryListingModule",
    "ProtocolSupportModule",
    "HttpRedirectionModule",
    "ServerSideIncludeModule",
    "StaticFileModule",
    "RewriteModule",
];

pub fn write_config(path: &Path, seed: u64) -> io::Result<ConfigCounts> {
    let mut rng = Rng::new(seed);
    let mut out = BufWriter::new(fs::File::create(path)?);
    let mut counts = ConfigCounts {
        sites: SITES,
        pools: SITES,
        applications: SITES * (APPS_PER_SITE + 1),
        ..ConfigCounts::default()
    };
    let mut w = |text: &str| -> io::Result<()> {
        counts.bytes += text.len() as u64;
        out.write_all(text.as_bytes())
    };
    w("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<configuration>\r\n")?;
    w("  <configSections>\r\n    <sectionGroup name=\"system.webServer\">\r\n")?;
    for section in [
        "handlers",
        "modules",
        "security/ipSecurity",
        "serverRuntime",
    ] {
        w(&format!(
            "      <section name=\"{section}\" overrideModeDefault=\"Deny\" />\r\n"
        ))?;
    }
    w("    </sectionGroup>\r\n  </configSections>\r\n")?;
    w("  <system.applicationHost>\r\n    <applicationPools>\r\n")?;
    for site in 0..SITES {
        let queue = 1000 + 100 * rng.below(10);
        w(&format!(
            "      <add name=\"pool{site:02}\" managedRuntimeVersion=\"\" queueLength=\"{queue}\">\r\n        <processModel identityType=\"ApplicationPoolIdentity\" idleTimeout=\"00:20:00\" pingResponseTime=\"00:01:30\" shutdownTimeLimit=\"00:01:30\" />\r\n        <recycling logEventOnRecycle=\"Time, Requests, Schedule, Memory, IsapiUnhealthy, OnDemand, ConfigChange, PrivateMemory\">\r\n          <periodicRestart time=\"1.05:00:00\" />\r\n        </recycling>\r\n        <failure rapidFailProtection=\"true\" rapidFailProtectionMaxCrashes=\"5\" />\r\n      </add>\r\n"
        ))?;
    }
    w("    </applicationPools>\r\n    <sites>\r\n")?;
    for site in 0..SITES {
        let id = site + 1;
        w(&format!(
            "      <site name=\"site{site:02}\" id=\"{id}\" serverAutoStart=\"true\">\r\n        <application path=\"/\" applicationPool=\"pool{site:02}\">\r\n          <virtualDirectory path=\"/\" physicalPath=\"D:\\web\\site{site:02}\\wwwroot\" />\r\n        </application>\r\n"
        ))?;
        for app in 0..APPS_PER_SITE {
            w(&format!(
                "        <application path=\"/app{app:02}\" applicationPool=\"pool{site:02}\">\r\n          <virtualDirectory path=\"/\" physicalPath=\"D:\\web\\site{site:02}\\apps\\app{app:02}\" />\r\n          <virtualDirectory path=\"/static\" physicalPath=\"D:\\web\\shared\\static{}\" />\r\n        </application>\r\n",
                rng.below(8)
            ))?;
        }
        w("        <bindings>\r\n")?;
        for (protocol, port) in [("http", 80), ("https", 443), ("http", 8080)] {
            w(&format!(
                "          <binding protocol=\"{protocol}\" bindingInformation=\"*:{port}:site{site:02}.example.com\" />\r\n"
            ))?;
        }
        w(&format!(
            "        </bindings>\r\n        <logFile directory=\"D:\\logs\\site{site:02}\" logExtFileFlags=\"Date, Time, ClientIP, UserName, SiteName, ServerIP, Method, UriStem, UriQuery, HttpStatus, Win32Status, TimeTaken, ServerPort, UserAgent, Referer, HttpSubStatus\" />\r\n        <traceFailedRequestsLogging enabled=\"true\" directory=\"D:\\logs\\freb\" maxLogFiles=\"200\" />\r\n      </site>\r\n"
        ))?;
    }
    w(
        "    </sites>\r\n  </system.applicationHost>\r\n  <system.webServer>\r\n    <globalModules>\r\n",
    )?;
    for module in MODULES {
        w(&format!(
            "      <add name=\"{module}\" image=\"%windir%\\System32\\inetsrv\\{}.dll\" />\r\n",
            module.to_ascii_lowercase()
        ))?;
    }
    w("    </globalModules>\r\n    <handlers accessPolicy=\"Read, Script\">\r\n")?;
    for ext in 0..120 {
        w(&format!(
            "      <add name=\"Handler{ext:03}\" path=\"*.x{ext:03}\" verb=\"GET,HEAD,POST,DEBUG\" modules=\"IsapiModule\" scriptProcessor=\"%windir%\\Microsoft.NET\\Framework64\\v4.0.30319\\aspnet_isapi.dll\" preCondition=\"classicMode,runtimeVersionv4.0,bitness64\" responseBufferLimit=\"0\" />\r\n"
        ))?;
    }
    w("    </handlers>\r\n    <staticContent>\r\n")?;
    for ext in 0..380 {
        w(&format!(
            "      <mimeMap fileExtension=\".m{ext:03}\" mimeType=\"application/x-generated-{ext:03}\" />\r\n"
        ))?;
    }
    w("    </staticContent>\r\n  </system.webServer>\r\n")?;
    for site in 0..SITES {
        w(&format!(
            "  <location path=\"site{site:02}\">\r\n    <system.webServer>\r\n      <security>\r\n        <requestFiltering>\r\n          <requestLimits maxAllowedContentLength=\"{}\" maxQueryString=\"4096\" />\r\n        </requestFiltering>\r\n        <authentication>\r\n          <anonymousAuthentication enabled=\"true\" userName=\"\" />\r\n          <windowsAuthentication enabled=\"false\" />\r\n        </authentication>\r\n      </security>\r\n      <proxy enabled=\"true\" timeout=\"00:0{}:00\" />\r\n      <rewrite>\r\n        <rules>\r\n",
            (30 + rng.below(70)) * 1_000_000,
            1 + rng.below(5)
        ))?;
        for rule in 0..RULES_PER_SITE {
            w(&format!(
                "          <rule name=\"route{rule:02}\" stopProcessing=\"true\">\r\n            <match url=\"^api/v{rule}/(.*)\" />\r\n            <conditions logicalGrouping=\"MatchAll\">\r\n              <add input=\"{{HTTP_HOST}}\" pattern=\"^site{site:02}\\.example\\.com$\" />\r\n            </conditions>\r\n            <action type=\"Rewrite\" url=\"http://backend{}:5000/{{R:1}}\" />\r\n          </rule>\r\n",
                rng.below(4)
            ))?;
        }
        w("        </rules>\r\n      </rewrite>\r\n    </system.webServer>\r\n  </location>\r\n")?;
    }
    w("</configuration>\r\n")?;
    out.flush()?;
    Ok(counts)
}
