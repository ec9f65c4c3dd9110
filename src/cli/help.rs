//! The examples shown after `--help`, kept apart from the flag definitions so they read as a
//! page. Every line that starts with `iisdiag ` is parsed by a test against the real command
//! definition, so an example can never name a flag that does not exist.

/// After `iisdiag --help`.
pub const MAIN: &str = "\
Examples:
  iisdiag scan C:\\inetpub\\logs\\LogFiles C:\\Windows\\System32\\LogFiles\\HTTPERR
  iisdiag scan web01/ web02/ --top 5
  iisdiag explain 502.3.12002
  iisdiag freb FailedReqLogFiles/W3SVC1/fr000123.xml

`iisdiag help COMMAND` shows a command's options and more examples.";

/// After `iisdiag scan --help`.
pub const SCAN: &str = "\
Examples:
  On the server, the default IIS log folders (Windows only; elsewhere, name them):
    iisdiag scan

  A copy of one server's logs: W3C logs, HTTP.sys error logs and FREB traces together:
    iisdiag scan C:\\inetpub\\logs\\LogFiles C:\\Windows\\System32\\LogFiles\\HTTPERR

  Several servers of a farm, copied side by side; explain the five largest groups:
    iisdiag scan web01/ web02/ --top 5

  Every request, not only failures:
    iisdiag scan u_ex261118.log --all

  With the site's own notes and overrides (see the README):
    iisdiag scan logs/ --rules site-rules.toml

  One page to attach to a ticket (opens offline, the timeline as a chart):
    iisdiag scan logs/ --html report.html

  For a ticket or a chat, and for a script:
    iisdiag scan logs/ --format markdown > report.md
    iisdiag scan logs/ --format json > report.json";

/// After `iisdiag explain --help`.
pub const EXPLAIN: &str = "\
Examples:
  A code from a W3C log line (sc-status, sc-substatus, sc-win32-status):
    iisdiag explain 502.3.12002

  With what the trace or page says: the module that set it, the time the request took:
    iisdiag explain 502.3.12002 --module ANCM --time-taken 120000

  The HRESULT of a detailed error page or a FREB trace, hex or decimal:
    iisdiag explain 0x80072ee2
    iisdiag explain 2147954402

  An HTTP.sys reason from httperr*.log:
    iisdiag explain AppOffline

  A detailed error page (App Service DetailedErrors, or its text pasted on stdin):
    iisdiag explain --page LogFiles/DetailedErrors/ErrorPage000016.htm

  The whole knowledge base, to join in a spreadsheet:
    iisdiag explain --list --format csv > iis-codes.csv";

/// After `iisdiag freb --help`.
pub const FREB: &str = "\
Examples:
  One trace:
    iisdiag freb C:\\inetpub\\logs\\FailedReqLogFiles\\W3SVC1\\fr000123.xml

  Every trace of a site, newest first, in a pager that keeps the colours:
    iisdiag freb FailedReqLogFiles/W3SVC1 --color always | less -R";

/// After `iisdiag events --help`.
pub const EVENTS: &str = "\
Examples:
  The event logs copied off a server (System and Application, .evtx or XML):
    iisdiag events C:\\support\\web01\\EventLogs

  An Azure App Service log download, events lined up with the site's failures:
    iisdiag events LogFiles

  One morning, as JSON for a script:
    iisdiag events web01 --since \"2026-11-18 09:00\" --until \"2026-11-18 12:00\" --format json";

/// After `iisdiag config --help`.
pub const CONFIG: &str = "\
Examples:
  A site's web.config with the server's applicationHost.config (modules installed are judged
  from its <globalModules>):
    iisdiag config C:\\inetpub\\wwwroot\\web.config C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config

  Every .config file of a support bundle, as JSON for a script (exit code 1 when one is an error):
    iisdiag config bundle.zip --format json";

/// After `iisdiag completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  bash (current shell; or save it under /etc/bash_completion.d/):
    source <(iisdiag completions bash)

  zsh (into a folder on $fpath):
    iisdiag completions zsh > ~/.zfunc/_iisdiag

  fish:
    iisdiag completions fish > ~/.config/fish/completions/iisdiag.fish

  PowerShell (add the line to $PROFILE to keep it):
    iisdiag completions powershell | Out-String | Invoke-Expression";

/// After `iisdiag man --help`.
pub const MAN: &str = "\
Examples:
  The main page, and one page per command:
    iisdiag man > iisdiag.1
    iisdiag man scan > iisdiag-scan.1

  Read it without installing:
    iisdiag man scan | man -l -";

/// After `iisdiag watch --help`.
pub const WATCH: &str = "\
Examples:
  On the server, the default IIS log folders (Windows only; elsewhere, name them):
    iisdiag watch

  One site's logs and the HTTP.sys error log, a screen every 5 seconds:
    iisdiag watch C:\\inetpub\\logs\\LogFiles\\W3SVC1 C:\\Windows\\System32\\LogFiles\\HTTPERR --interval 5

  Page someone when 5xx pass 2 % of the requests of the last 5 minutes:
    iisdiag watch LogFiles/ --fail-on \"5xx>2%\" --exec \"page-oncall.sh\"

  Exit 1 at the first 503 from HTTP.sys or IIS, for a script:
    iisdiag watch LogFiles/ HTTPERR/ --fail-on 503

  Appended lines for a log file, for one hour:
    iisdiag watch LogFiles/ --for 1h > watch.log

IIS writes its log buffer to disk every 60 seconds or each 64 KB, so lines arrive in bursts
and the newest can be a minute old; the screen says how old.
Exit codes: 0 at Ctrl-C or the end of --for, 1 when --fail-on held (without --exec),
2 for a usage error.";
