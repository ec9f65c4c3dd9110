//! A folder of IIS detailed error pages for the bench, deterministic from a seed: what App
//! Service keeps under `LogFiles/DetailedErrors` (`ErrorPage00001.htm`, ...) and what a user
//! saves from a browser. Each page is the full IIS 10 page of the corpus
//! (`../shared/corpus/pages`, `testdata/pages`): its style block, the headline, the causes and
//! things to try, the detail tables (module, notification, handler, error code, URL, physical
//! path, logon) and, for 500.19, the config source.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{Rng, Weighted};

/// What the generator wrote, to check `scan` against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounts {
    pub bytes: u64,
    pub pages: u64,
    /// Pages by `status.substatus`.
    pub groups: BTreeMap<String, u64>,
}

/// One kind of failure as its page shows it.
struct Kind {
    status: u32,
    substatus: u32,
    reason: &'static str,
    headline: &'static str,
    module: &'static str,
    notification: &'static str,
    handler: &'static str,
    code: &'static str,
    cause: &'static str,
}

const KINDS: [Kind; 6] = [
    Kind {
        status: 500,
        substatus: 19,
        reason: "Internal Server Error",
        headline: "The requested page cannot be accessed because the related configuration data for the page is invalid.",
        module: "IIS Web Core",
        notification: "BeginRequest",
        handler: "Not yet determined",
        code: "0x8007000d",
        cause: "The configuration file contains a section that no installed module defines.",
    },
    Kind {
        status: 404,
        substatus: 0,
        reason: "Not Found",
        headline: "The resource you are looking for has been removed, had its name changed, or is temporarily unavailable.",
        module: "IIS Web Core",
        notification: "MapRequestHandler",
        handler: "StaticFile",
        code: "0x80070002",
        cause: "The directory or file specified does not exist on the Web server.",
    },
    Kind {
        status: 500,
        substatus: 0,
        reason: "Internal Server Error",
        headline: "The page cannot be displayed because an internal server error has occurred.",
        module: "ManagedPipelineHandler",
        notification: "ExecuteRequestHandler",
        handler: "System.Web.Mvc.MvcHandler",
        code: "0x00000000",
        cause: "IIS received the request; however, an internal error occurred during the processing of the request.",
    },
    Kind {
        status: 403,
        substatus: 14,
        reason: "Forbidden",
        headline: "The Web server is configured to not list the contents of this directory.",
        module: "DirectoryListingModule",
        notification: "ExecuteRequestHandler",
        handler: "StaticFile",
        code: "0x00000000",
        cause: "A default document is not configured for the requested URL, and directory browsing is not enabled on the server.",
    },
    Kind {
        status: 401,
        substatus: 2,
        reason: "Unauthorized",
        headline: "You are not authorized to view this page due to invalid authentication headers.",
        module: "IIS Web Core",
        notification: "AuthenticateRequest",
        handler: "ExtensionlessUrlHandler-Integrated-4.0",
        code: "0x80070005",
        cause: "No authentication protocol (including anonymous) is selected in IIS.",
    },
    Kind {
        status: 502,
        substatus: 3,
        reason: "Bad Gateway",
        headline: "The specified CGI application encountered an error and the server terminated the process.",
        module: "AspNetCoreModuleV2",
        notification: "ExecuteRequestHandler",
        handler: "aspNetCore",
        code: "0x80072ee2",
        cause: "The backend process did not answer within the request timeout.",
    },
];

/// Share of each kind, in the order of [`KINDS`]: most saved pages are config errors and
/// missing files.
const WEIGHTS: [u64; 6] = [30, 30, 20, 8, 7, 5];

const STYLE: &str = r#"<style type="text/css">
<!--
body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}
code{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}
.config_source code{font-size:.8em;color:#000000;}
pre{margin:0;font-size:1.4em;word-wrap:break-word;}
ul,ol{margin:10px 0 10px 5px;}
ul.first,ol.first{margin-top:5px;}
fieldset{padding:0 15px 10px 15px;word-break:break-all;}
.summary-container fieldset{padding-bottom:5px;margin-top:4px;}
legend.no-expand-all{padding:2px 15px 4px 10px;margin:0 0 0 -12px;}
legend{color:#333333;;margin:4px 0 8px -12px;_margin-top:0px;
font-weight:bold;font-size:1em;}
a:link,a:visited{color:#007EFF;font-weight:bold;}
a:hover{text-decoration:none;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.4em;margin:10px 0 0 0;color:#CC0000;}
h4{font-size:1.2em;margin:10px 0 5px 0;
}#header{width:96%;margin:0 0 0 0;padding:6px 2% 6px 2%;font-family:"trebuchet MS",Verdana,sans-serif;
color:#FFF;background-color:#5C87B2;
}#content{margin:0 0 0 2%;position:relative;}
.summary-container,.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
.content-container p{margin:0 0 10px 0;
}#details-left{width:35%;float:left;margin-right:2%;
}#details-right{width:63%;float:left;overflow:hidden;
}#server_version{width:96%;_height:1px;min-height:1px;margin:0 0 5px 0;padding:11px 2% 8px 2%;color:#FFFFFF;
background-color:#5A7FA5;border-bottom:1px solid #C1CFDD;border-top:1px solid #4A6C8E;font-weight:normal;
font-size:1em;color:#FFF;text-align:right;
}#server_version p{margin:5px 0;}
table{margin:4px 0 4px 0;width:100%;border:none;}
td,th{vertical-align:top;padding:3px 0;text-align:left;font-weight:normal;border:none;}
th{width:30%;text-align:right;padding-right:2%;font-weight:bold;}
thead th{background-color:#ebebeb;width:25%;
}#details-right th{width:20%;}
table tr.alt td,table tr.alt th{}
.highlight-code{color:#CC0000;font-weight:bold;font-style:italic;}
.clear{clear:both;}
.preferred{padding:0 5px 2px 5px;font-weight:normal;background:#006633;color:#FFF;font-size:.8em;}
-->
</style>"#;

const SITES: [&str; 4] = ["shop", "api", "portal", "intranet"];
const PATHS: [&str; 6] = [
    "cart",
    "api/orders",
    "account/login",
    "images",
    "reports/daily",
    "hooks/github",
];

/// Writes `pages` pages into `folder`.
pub fn write_pages(folder: &Path, seed: u64, pages: u64) -> io::Result<PageCounts> {
    fs::create_dir_all(folder)?;
    let mut rng = Rng::new(seed ^ 0xE4404);
    let kinds = Weighted::new(WEIGHTS.map(|w| (w, ())));
    let mut counts = PageCounts::default();
    for i in 1..=pages {
        let kind = &KINDS[kinds.index(&mut rng)];
        let page = page(&mut rng, kind);
        counts.bytes += page.len() as u64;
        counts.pages += 1;
        *counts
            .groups
            .entry(format!("{}.{}", kind.status, kind.substatus))
            .or_default() += 1;
        fs::write(folder.join(format!("ErrorPage{i:05}.htm")), page)?;
    }
    Ok(counts)
}

/// One page of this kind, for a URL of one of the sites.
fn page(rng: &mut Rng, kind: &Kind) -> String {
    let Kind {
        status,
        substatus,
        reason,
        headline,
        module,
        notification,
        handler,
        code,
        cause,
    } = kind;
    let site = rng.pick(&SITES);
    let path = rng.pick(&PATHS);
    let id = rng.below(100_000);
    let config = if *status == 500 && *substatus == 19 {
        format!(
            "<tr class=\"alt\"><th>Config Error</th><td>&nbsp;&nbsp;&nbsp;</td></tr>\n<tr><th>Config File</th><td>&nbsp;&nbsp;&nbsp;\\\\?\\C:\\inetpub\\{site}\\web.config</td></tr>\n"
        )
    } else {
        String::new()
    };
    let source = if config.is_empty() {
        String::new()
    } else {
        "<div class=\"content-container\">\n<fieldset><h4>Config Source:</h4>\n<pre><code>   11:   &lt;system.webServer&gt;\n</code><code class=\"highlight-code\">   12:     &lt;rewrite&gt;\n</code><code>   13:       &lt;rules&gt;\n</code></pre>\n</fieldset>\n</div>\n".to_string()
    };
    format!(
        r#"<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>IIS 10.0 Detailed Error - {status}.{substatus} - {reason}</title>
{STYLE}
</head>
<body>
<div id="content">
<div class="content-container">
<h3>HTTP Error {status}.{substatus} - {reason}</h3>
<h4>{headline}</h4>
</div>
<div class="content-container">
<fieldset><h4>Most likely causes:</h4>
<ul> 	<li>{cause}</li> 	<li>IIS was not able to process configuration for the Web site or application.</li> </ul>
</fieldset>
</div>
<div class="content-container">
<fieldset><h4>Things you can try:</h4>
<ul> 	<li>Check the event logs to see if any additional information was logged.</li> 	<li>Create a tracing rule to track failed requests for this HTTP status code. For more information about creating a tracing rule for failed requests, click <a href="http://go.microsoft.com/fwlink/?LinkID=66439">here</a>. </li> </ul>
</fieldset>
</div>
<div class="content-container">
<fieldset><h4>Detailed Error Information:</h4>
<div id="details-left">
<table border="0" cellpadding="0" cellspacing="0">
<tr class="alt"><th>Module</th><td>&nbsp;&nbsp;&nbsp;{module}</td></tr>
<tr><th>Notification</th><td>&nbsp;&nbsp;&nbsp;{notification}</td></tr>
<tr class="alt"><th>Handler</th><td>&nbsp;&nbsp;&nbsp;{handler}</td></tr>
<tr><th>Error Code</th><td>&nbsp;&nbsp;&nbsp;{code}</td></tr>
{config}</table>
</div>
<div id="details-right">
<table border="0" cellpadding="0" cellspacing="0">
<tr class="alt"><th>Requested URL</th><td>&nbsp;&nbsp;&nbsp;https://{site}.example:443/{path}?id={id}</td></tr>
<tr><th>Physical Path</th><td>&nbsp;&nbsp;&nbsp;C:\inetpub\{site}\{path}</td></tr>
<tr class="alt"><th>Logon Method</th><td>&nbsp;&nbsp;&nbsp;Anonymous</td></tr>
<tr><th>Logon User</th><td>&nbsp;&nbsp;&nbsp;Anonymous</td></tr>
</table>
<div class="clear"></div>
</div>
</fieldset>
</div>
{source}<div class="content-container">
<fieldset><h4>More Information:</h4>
This error means that there was a problem while processing the request.
<p><a href="http://go.microsoft.com/fwlink/?LinkID=62293&amp;IIS70Error={status},{substatus},{code},20348">View more information &raquo;</a></p>
<p>Microsoft Knowledge Base Articles:</p>
</fieldset>
</div>
</div>
</body>
</html>
"#
    )
}
