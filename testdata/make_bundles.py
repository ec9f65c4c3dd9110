#!/usr/bin/env python3
"""Writes the two support bundles under testdata/bundles/ and their zips under
testdata/archives/bundles/ (deterministic: fixed times, sorted members; run from the
repository root).

Both are written by us from the documented layouts (see testdata/README.md and the comment at
the top of src/input/bundle.rs); every host name, address, id and secret is invented.

appservice/: an Azure App Service log download (Kudu /api/dump): instance 18e609 of the app
contoso-orders serves fine until a zip deployment at 09:58:05 UTC on 2026-11-18; the new
process (pid 4120, started 09:58:12) dies in Program.Main, and every request until 10:04 is a
500.30. The W3C log, the FREB trace, the detailed error page and the ANCM events (1012 recycle
on app_offline, 1007 and 1011 start failures) all say the app failed to start, none says why:
only the stdout log names the cause, a connection string that is not configured.

logcatcher/: a LogCatcher zip of the server SHOP01: site Shop (id 2) answers /cart.php with a
FastCGI 500.0.255 burst from 11:05 to 11:09 UTC on 2026-11-18 (php-cgi exits with status 255);
the FREB trace names FastCgiModule, and only the PHP error log (which LogCatcher does not
collect: copied in beside it, as an engineer would) names the fatal error, in one file,
cart.php line 88.
"""
import io
import os
import shutil
import zipfile
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

WHEN = (2026, 11, 18, 12, 0, 0)
ROOT = "testdata/bundles"
ZIPS = "testdata/archives/bundles"
DAY = datetime(2026, 11, 18)


def at(h, m, s=0, ms=0):
    return DAY.replace(hour=h, minute=m, second=s, microsecond=ms * 1000)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


# --- FREB -------------------------------------------------------------------------------

FREB_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
WWW = '<Provider Name="WWW Server" Guid="{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}"/>'
GUIDS = {
    "GENERAL_REQUEST_START": ("{D42CF7EF-DE92-473E-8B6C-621EA663113A}", 1, 0),
    "GENERAL_REQUEST_HEADERS": ("{D42CF7EF-DE92-473E-8B6C-621EA663113A}", 50, 4),
    "HANDLER_CHANGED": ("{D42CF7EF-DE92-473E-8B6C-621EA663113A}", 43, 4),
    "NOTIFY_MODULE_START": ("{002E91E3-E7AE-44AB-8E07-99230FFA6ADE}", 1, 5),
    "MODULE_SET_RESPONSE_ERROR_STATUS": ("{002E91E3-E7AE-44AB-8E07-99230FFA6ADE}", 16, 2),
    "NOTIFY_MODULE_END": ("{002E91E3-E7AE-44AB-8E07-99230FFA6ADE}", 2, 5),
    "GENERAL_REQUEST_END": ("{D42CF7EF-DE92-473E-8B6C-621EA663113A}", 2, 0),
}


def freb(url, site, pool, pid, status, sub, time_taken, start, computer, ctx, events):
    """events: (opcode, offset ms, [(name, value)]) after the request start."""
    out = [
        '<?xml version="1.0" encoding="UTF-8" ?>',
        "<?xml-stylesheet type='text/xsl' href='freb.xsl'?>",
        "<!-- saved from url=(0014)about:internet -->",
        f'<failedRequest url="{escape(url)}"',
        f'               siteId="{site}"',
        f'               appPoolId="{pool}"',
        f'               processId="{pid}"',
        '               verb="GET"',
        '               remoteUserName=""',
        '               userName=""',
        f'               tokenUserName="IIS APPPOOL\\{pool}"',
        '               authenticationType="anonymous"',
        f'               activityId="{ctx}"',
        '               failureReason="STATUS_CODE"',
        f'               statusCode="{status}.{sub}"',
        f'               triggerStatusCode="{status}"',
        f'               timeTaken="{time_taken}"',
        '               xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb"',
        "               >",
    ]
    for opcode, offset, data in events:
        guid, op, level = GUIDS[opcode]
        t = start + timedelta(milliseconds=offset)
        out += [
            f'<Event xmlns="{FREB_NS}">',
            " <System>",
            f"  {WWW}",
            "  <EventID>0</EventID>",
            "  <Version>1</Version>",
            f"  <Level>{level}</Level>",
            f"  <Opcode>{op}</Opcode>",
            "  <Keywords>0x0</Keywords>",
            f'  <TimeCreated SystemTime="{iso(t)}"/>',
            f'  <Correlation ActivityID="{ctx}"/>',
            f'  <Execution ProcessID="{pid}" ThreadID="5120"/>',
            f"  <Computer>{computer}</Computer>",
            " </System>",
            " <EventData>",
            f'  <Data Name="ContextId">{ctx}</Data>',
        ]
        out += [f'  <Data Name="{n}">{escape(v)}</Data>' for n, v in data]
        out += [
            " </EventData>",
            ' <RenderingInfo Culture="en-US">',
            f"  <Opcode>{opcode}</Opcode>",
            " </RenderingInfo>",
            ' <ExtendedTracingInfo xmlns="http://schemas.microsoft.com/win/2004/08/events/trace">',
            f"  <EventGuid>{guid}</EventGuid>",
            " </ExtendedTracingInfo>",
            "</Event>",
        ]
    out.append("</failedRequest>")
    return "\n".join(out) + "\n"


def module_failure(url, site, pool, handler, module, notification, status, sub, code,
                   extra=()):
    return [
        ("GENERAL_REQUEST_START", 0, [("SiteId", str(site)), ("AppPoolId", pool),
                                      ("ConnId", "1610612801"), ("RawConnId", "0"),
                                      ("RequestURL", url), ("RequestVerb", "GET")]),
        ("GENERAL_REQUEST_HEADERS", 0, [("Headers", "Accept: */*\nHost: example\n")]),
        ("HANDLER_CHANGED", 1, [("OldHandlerName", ""), ("NewHandlerName", handler),
                                ("NewHandlerModules", module),
                                ("NewHandlerScriptProcessor", ""), ("NewHandlerType", "")]),
        ("NOTIFY_MODULE_START", 1, [("ModuleName", module), ("Notification", notification),
                                    ("fIsPostNotification", "false")]),
        *extra,
        ("MODULE_SET_RESPONSE_ERROR_STATUS", 40, [
            ("ModuleName", module), ("Notification", notification),
            ("HttpStatus", str(status)), ("HttpReason", "Internal Server Error"),
            ("HttpSubStatus", str(sub)), ("ErrorCode", str(code)),
            ("ConfigExceptionInfo", "")]),
        ("NOTIFY_MODULE_END", 41, [("ModuleName", module), ("Notification", notification),
                                   ("fIsPostNotificationEvent", "false"),
                                   ("NotificationStatus", "2")]),
        ("GENERAL_REQUEST_END", 42, [("BytesSent", "1980"), ("BytesReceived", "380"),
                                     ("HttpStatus", str(status)),
                                     ("HttpSubStatus", str(sub))]),
    ]


FREB_XSL = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Stand-in for the freb.xsl IIS writes beside its traces: a style sheet, not a trace. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:template match="/"><html><body><xsl:value-of select="failedRequest/@url"/></body></html></xsl:template>
</xsl:stylesheet>
"""


# --- Event XML as App Service's eventlog.xml writes it ----------------------------------

def app_service_events(events):
    """events: (provider, id, level, time, computer, record, text)."""
    out = ["<Events>"]
    for provider, eid, level, t, computer, record, text in events:
        out.append(
            f'<Event><System><Provider Name="{provider}"/><EventID>{eid}</EventID>'
            f"<Level>{level}</Level><Task>0</Task><Keywords>Keywords</Keywords>"
            f'<TimeCreated SystemTime="{t.strftime("%Y-%m-%dT%H:%M:%SZ")}"/>'
            f"<EventRecordID>{record}</EventRecordID><Channel>Application</Channel>"
            f"<Computer>{computer}</Computer><Security/></System>"
            f"<EventData><Data>{escape(text)}</Data></EventData></Event>")
    out.append("</Events>")
    return "\n".join(out) + "\n"


def saved_events(channel, computer, events):
    """Event Viewer's "Save as XML" shape: declaration, <Events> root, newest first.
    events: (provider, guid, id, level, time, record, [(name, value)])."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<Events>"]
    for provider, guid, eid, level, t, record, data in sorted(events, key=lambda e: e[4],
                                                               reverse=True):
        items = "".join(f'<Data Name="{n}">{escape(v)}</Data>' for n, v in data)
        g = f' Guid="{guid}"' if guid else ""
        out.append(
            f'<Event xmlns="{FREB_NS}"><System><Provider Name="{provider}"{g}/>'
            f"<EventID>{eid}</EventID><Version>0</Version><Level>{level}</Level><Task>0</Task>"
            f"<Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"
            f'<TimeCreated SystemTime="{iso(t)}"/><EventRecordID>{record}</EventRecordID>'
            f'<Correlation/><Execution ProcessID="0" ThreadID="0"/><Channel>{channel}</Channel>'
            f"<Computer>{computer}</Computer><Security/></System>"
            f"<EventData>{items}</EventData></Event>")
    out.append("</Events>")
    return "\n".join(out) + "\n"


# --- The App Service download ------------------------------------------------------------

def appservice():
    files = {}
    site_id = 1416782824
    app = "/LM/W3SVC/1416782824/ROOT"
    machine = "RD0003FF4B2C10"
    host = "contoso-orders.azurewebsites.net"
    fields = ("date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              "cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus "
              "sc-win32-status sc-bytes cs-bytes time-taken")
    lines = ["#Software: Microsoft Internet Information Services 10.0", f"#Fields: {fields}"]
    urls = ["/api/orders", "/api/orders/1841", "/health", "/api/customers/77"]
    t = at(9, 55)
    n = 0
    while t < at(10, 5):
        failing = at(9, 58, 12) <= t < at(10, 4)
        url = urls[n % len(urls)]
        status, sub, win32, taken = ("500", "30", "574", 18) if failing else ("200", "0", "0", 31)
        lines.append(
            f"{t:%Y-%m-%d %H:%M:%S} CONTOSO-ORDERS GET {url} - 443 - 203.0.113.{20 + n % 7} "
            f"Mozilla/5.0+(Windows+NT+10.0) ARRAffinity=4f2a - {host} {status} {sub} {win32} "
            f"{1980 if failing else 612} 402 {taken}")
        t += timedelta(seconds=20)
        n += 1
    files["LogFiles/http/RawLogs/18e609-202611180955.log"] = "\r\n".join(lines) + "\r\n"

    files[f"LogFiles/W3SVC{site_id}/fr000001.xml"] = freb(
        f"https://{host}:443/api/orders", site_id, "contoso-orders", 4120, 500, 30, 19,
        at(9, 58, 20), machine, "{00000000-0000-0000-7A11-0080000000A2}",
        module_failure(f"https://{host}:443/api/orders", site_id, "contoso-orders",
                       "aspNetCore", "AspNetCoreModuleV2", "128", 500, 30, 2147942974))
    files[f"LogFiles/W3SVC{site_id}/freb.xsl"] = FREB_XSL

    files["LogFiles/DetailedErrors/ErrorPage00001.htm"] = PAGE_500_30.format(host=host)

    files["LogFiles/eventlog.xml"] = app_service_events([
        ("IIS AspNetCore Module V2", 1012, 4, at(9, 58, 5), machine, 612004101,
         f"Application '{app}' with physical root 'C:\\home\\site\\wwwroot\\' was recycled "
         "after detecting app_offline.htm."),
        ("IIS AspNetCore Module V2", 1011, 1, at(9, 58, 13), machine, 612004188,
         f"Application '{app}' with physical root 'C:\\home\\site\\wwwroot\\' has exited from "
         "Program.Main with exit code = '-532462766'. Please check the stderr logs for more "
         "information."),
        ("IIS AspNetCore Module V2", 1007, 1, at(9, 58, 13), machine, 612004190,
         f"Application '{app}' with physical root 'C:\\home\\site\\wwwroot\\' failed to load "
         "coreclr. Exception message:\nCLR worker thread exited prematurely"),
    ])

    files["LogFiles/stdout_20261118095812_4120.log"] = (
        "Unhandled exception. System.InvalidOperationException: Connection string 'OrdersDb' "
        "not found.\r\n"
        "   at Contoso.Orders.Program.<Main>$(String[] args) in C:\\src\\Contoso.Orders\\Program.cs:line 14\r\n")

    files["LogFiles/kudu/trace/2026-11-18T09-58-05_18e609_002_POST_api-zipdeploy_202_4s.xml"] = (
        '<step title="Incoming Request" date="2026-11-18T09:58:05.112" instance="18e609" '
        'url="/api/zipdeploy?isAsync=true" method="POST" type="request" pid="7312,1,24">\n'
        '  <step title="Deployment" date="2026-11-18T09:58:05.250" />\n'
        '  <step title="Outgoing response" date="2026-11-18T09:58:09.301" type="response" '
        'statusCode="202" statusText="Accepted" />\n'
        "</step>\n")
    files["LogFiles/Application/diagnostics-20261118.txt"] = (
        "2026-11-18 09:57:40.118 +00:00 [Information] Microsoft.Hosting.Lifetime: Application "
        "is shutting down...\r\n")
    files["deployments/3f0c1d9a7b/status.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n<deployment><id>3f0c1d9a7b</id>'
        "<author>N/A</author><status>Success</status><statusText></statusText>"
        "<start_time>2026-11-18T09:58:05.3Z</start_time>"
        "<end_time>2026-11-18T09:58:09.2Z</end_time></deployment>\n")
    return files


PAGE_500_30 = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>IIS 10.0 Detailed Error - 500.30 - Internal Server Error</title>
</head>
<body>
<div id="content">
<div class="content-container">
<h3>HTTP Error 500.30 - Internal Server Error</h3>
<h4>ASP.NET Core app failed to start</h4>
</div>
<div class="content-container">
<fieldset><h4>Detailed Error Information:</h4>
<div id="details-left">
<table border="0" cellpadding="0" cellspacing="0">
<tr class="alt"><th>Module</th><td>&nbsp;&nbsp;&nbsp;AspNetCoreModuleV2</td></tr>
<tr><th>Notification</th><td>&nbsp;&nbsp;&nbsp;ExecuteRequestHandler</td></tr>
<tr class="alt"><th>Handler</th><td>&nbsp;&nbsp;&nbsp;aspNetCore</td></tr>
<tr><th>Error Code</th><td>&nbsp;&nbsp;&nbsp;0x8007023e</td></tr>
</table>
</div>
<div id="details-right">
<table border="0" cellpadding="0" cellspacing="0">
<tr class="alt"><th>Requested URL</th><td>&nbsp;&nbsp;&nbsp;https://{host}:443/api/orders</td></tr>
<tr><th>Physical Path</th><td>&nbsp;&nbsp;&nbsp;C:\\home\\site\\wwwroot\\api\\orders</td></tr>
<tr class="alt"><th>Logon Method</th><td>&nbsp;&nbsp;&nbsp;Anonymous</td></tr>
<tr><th>Logon User</th><td>&nbsp;&nbsp;&nbsp;Anonymous</td></tr>
</table>
<div class="clear"></div>
</div>
</fieldset>
</div>
</div>
</body>
</html>
"""


# --- The LogCatcher zip ------------------------------------------------------------------

def logcatcher():
    files = {}
    fields = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")

    def w3c(rows):
        head = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
                "#Date: 2026-11-18 11:00:00", f"#Fields: {fields}"]
        return "\r\n".join(head + rows) + "\r\n"

    shop = []
    t = at(11, 0)
    n = 0
    while t < at(11, 12):
        burst = at(11, 5) <= t < at(11, 10)
        url = "/cart.php" if n % 2 == 0 or burst else "/index.php"
        status, sub, win32, taken = ("500", "0", "255", 212) if burst and url == "/cart.php" \
            else ("200", "0", "0", 46)
        shop.append(f"{t:%Y-%m-%d %H:%M:%S} 10.0.0.21 GET {url} - 443 - 198.51.100.{30 + n % 9} "
                    f"Mozilla/5.0+(Windows+NT+10.0) - {status} {sub} {win32} {taken}")
        t += timedelta(seconds=15)
        n += 1
    files["Sites/Shop/IISLogs/u_ex261118.log"] = w3c(shop)
    default = [f"2026-11-18 11:{m:02d}:00 10.0.0.21 GET / - 80 - 198.51.100.9 "
               "Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 3" for m in range(0, 12, 3)]
    files["Sites/Default Web Site/IISLogs/u_ex261118.log"] = w3c(default)

    files["Sites/Shop/FrebLogs/fr000001.xml"] = freb(
        "https://shop.example.com:443/cart.php", 2, "ShopPool", 6144, 500, 0, 212,
        at(11, 6, 30), "SHOP01", "{00000000-0000-0000-3C55-0080000000C1}",
        module_failure("https://shop.example.com:443/cart.php", 2, "ShopPool", "PHP_via_FastCGI",
                       "FastCgiModule", "128", 500, 0, 255))
    files["Sites/Shop/FrebLogs/freb.xsl"] = FREB_XSL
    files["Sites/Shop/web.config"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<configuration>\n  <system.webServer>\n'
        '    <handlers>\n      <add name="PHP_via_FastCGI" path="*.php" verb="*" '
        'modules="FastCgiModule" scriptProcessor="C:\\PHP\\php-cgi.exe" '
        'resourceType="Either" />\n    </handlers>\n  </system.webServer>\n</configuration>\n')
    files["Sites/Shop/bin/Shop.Payments.dll.config"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <appSettings>\n'
        '    <add key="Retries" value="3" />\n  </appSettings>\n</configuration>\n')

    files["General/HttpErr/httperr1.log"] = "\r\n".join([
        "#Software: Microsoft HTTP API 2.0",
        "#Version: 1.0",
        "#Date: 2026-11-18 11:00:00",
        "#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri "
        "streamid sc-status s-siteid s-reason s-queuename",
        "2026-11-18 11:02:11 198.51.100.33 50412 10.0.0.21 443 - - - - - - Timer_ConnectionIdle -",
        "2026-11-18 11:07:40 198.51.100.35 50877 10.0.0.21 443 HTTP/1.1 GET /cart.php - 400 - BadRequest -",
    ]) + "\r\n"
    files["General/IISConfig/applicationHost.config"] = APPHOST
    files["General/IISConfig/administration.config"] = (
        '<configuration>\n  <moduleProviders>\n    <add name="Modules" '
        'type="Microsoft.Web.Management.Iis.Modules.ModulesModuleProvider" />\n'
        "  </moduleProviders>\n</configuration>\n")
    files["General/IISConfig/redirection.config"] = (
        '<configuration>\n  <configurationRedirection enabled="false" />\n</configuration>\n')
    files["General/NETFramework/Framework64/v4.0.30319/Config/machine.config"] = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<configuration>\n  <system.web>\n'
        '    <processModel autoConfig="true" />\n  </system.web>\n</configuration>\n')

    was = ("Microsoft-Windows-WAS", "{524B5D04-133C-4A62-8362-64E8EDB9CE40}")
    files["General/System.xml"] = saved_events("System", "SHOP01", [
        (*was, 5186, 4, at(10, 40), 88120, [("AppPoolID", "DefaultAppPool"),
                                            ("ProcessID", "4480"), ("param3", "20")]),
    ])
    files["General/Application.xml"] = saved_events("Application", "SHOP01", [
        ("Microsoft-Windows-Security-SPP", "{E23B33B0-C8C9-472C-A5F9-F2BDFEA0F156}", 16384,
         4, at(10, 30), 40211, [("param1", "2126-10-25T10:30:00Z"), ("param2", "RulesEngine")]),
    ])
    files["General/SiteOverview.csv"] = "\r\n".join([
        '"SiteName","applicationPool","Path","CLR","Pipeline","AutoStart","AppAccount",'
        '"Enable32","LoadUserProfile","QueueLength","MaxProcesses"',
        '"Default Web Site","DefaultAppPool","%SystemDrive%\\inetpub\\wwwroot","v4.0",'
        '"Integrated","True","","False","True","1000","1"',
        '"Shop","ShopPool","C:\\inetpub\\wwwroot\\shop","","Integrated","True",'
        '"SHOP01\\svc-shop","False","True","1000","1"',
    ]) + "\r\n"
    files["General/OsInfo.txt"] = (
        "OS Name: Microsoft Windows Server 2022 Datacenter\r\nOS Version: 10.0.20348 N/A "
        "Build 20348\r\nSystem Boot Time: 11/2/2026, 4:12:09 AM\r\n")
    files["General/LOGS.CSV"] = "\r\n".join([
        '"ComputerName","LogName","Product","Location","TypeInfo","Level"',
        '"SHOP01","Shop","IISLogs","C:\\inetpub\\logs\\LogFiles\\W3SVC2","Folder","Site"',
        '"SHOP01","Shop","FrebLogs","C:\\inetpub\\logs\\FailedReqLogFiles\\W3SVC2","Folder","Site"',
        '"SHOP01","HTTPERRLog","IIS","C:\\Windows\\System32\\LogFiles\\HTTPERR","Folder","Server"',
    ]) + "\r\n"
    files["General/ToolLog.log"] = (
        "11/18/2026 12:00:00 Tool was run with for the SiteIDS: 1 2 with LogAge filter set at 2\r\n"
        "11/18/2026 12:00:41 Tool has Finished running!\r\n")

    php = []
    for minute, second in [(5, 4), (5, 49), (6, 30), (7, 15), (8, 2), (8, 58), (9, 40)]:
        stamp = f"18-Nov-2026 11:{minute:02d}:{second:02d} UTC"
        php += [
            f"[{stamp}] PHP Fatal error:  Uncaught Error: Call to undefined function "
            "money_format() in C:\\inetpub\\wwwroot\\shop\\cart.php:88",
            "Stack trace:",
            "#0 {main}",
            "  thrown in C:\\inetpub\\wwwroot\\shop\\cart.php on line 88",
        ]
    php.insert(0, "[18-Nov-2026 11:01:17 UTC] PHP Warning:  Undefined array key \"coupon\" in "
                  "C:\\inetpub\\wwwroot\\shop\\index.php on line 31")
    files["extra/php_errors.log"] = "\n".join(php) + "\n"
    return files


APPHOST = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="DefaultAppPool" />
      <add name="ShopPool" managedRuntimeVersion="" queueLength="1000">
        <processModel identityType="SpecificUser" userName="SHOP01\\svc-shop" password="Pa55-never-print-me!" />
      </add>
    </applicationPools>
    <sites>
      <site name="Default Web Site" id="1">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
        <bindings><binding protocol="http" bindingInformation="*:80:" /></bindings>
      </site>
      <site name="Shop" id="2">
        <application path="/" applicationPool="ShopPool">
          <virtualDirectory path="/" physicalPath="C:\\inetpub\\wwwroot\\shop" />
        </application>
        <bindings><binding protocol="https" bindingInformation="*:443:shop.example.com" /></bindings>
        <traceFailedRequestsLogging enabled="true" directory="%SystemDrive%\\inetpub\\logs\\FailedReqLogFiles" />
      </site>
    </sites>
  </system.applicationHost>
  <system.webServer>
    <fastCgi>
      <application fullPath="C:\\PHP\\php-cgi.exe" maxInstances="8" activityTimeout="70" requestTimeout="90" />
    </fastCgi>
  </system.webServer>
</configuration>
"""


def write_tree(name, files):
    base = os.path.join(ROOT, name)
    if os.path.isdir(base):
        shutil.rmtree(base)
    for path, text in files.items():
        full = os.path.join(base, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="") as f:
            f.write(text)


def write_zip(name, files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=WHEN)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            z.writestr(info, files[path].encode("utf-8"))
    os.makedirs(ZIPS, exist_ok=True)
    with open(os.path.join(ZIPS, name), "wb") as f:
        f.write(buf.getvalue())


app = appservice()
lc = logcatcher()
write_tree("appservice", app)
write_tree("logcatcher", lc)
write_zip("appservice.zip", app)
write_zip("LOGS-2026-11-18-T-12-00-00.zip", lc)
