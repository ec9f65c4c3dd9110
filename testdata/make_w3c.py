#!/usr/bin/env python3
"""Writes the farm samples under testdata/farm/ (deterministic; run from the repository root).

The scene: a two-server ARR front end on 2026-11-18 whose backend hangs between 10:42 and
10:47 UTC (502.3.12002 at the 30 s proxy timeout), refuses connections for a minute at 11:05
(502.3.12029), plus the everyday noise of a site: 404s, Windows-authentication handshake legs,
clients that go away, a config error after a deploy. web01 logs s-computername and changes its
#Fields layout at a restart; web02 logs neither, so its server name comes from the folder.
At 11:40 a bad deploy makes OrdersPool crash on both servers; rapid-fail protection stops it
and HTTP.sys answers 503 AppOffline until 11:44 while the W3C logs go quiet (HTTPERR logs).
"""
import os
import random
from datetime import datetime, timedelta

UA = [
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/131.0.0.0+Safari/537.36",
    "Mozilla/5.0+(Macintosh;+Intel+Mac+OS+X+14_6)+AppleWebKit/605.1.15+(KHTML,+like+Gecko)+Version/18.1+Safari/605.1.15",
    "curl/8.9.1",
    "Mozilla/5.0+(compatible;+bingbot/2.0;++http://www.bing.com/bingbot.htm)",
]
OK_URLS = ["/", "/api/orders", "/api/orders/search", "/api/inventory", "/css/site.css", "/js/app.js", "/intranet/", "/downloads/report.pdf"]
FULL = "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"
FULL2 = "date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken"
CRASH_START = datetime(2026, 11, 18, 11, 40, 0)
CRASH_END = datetime(2026, 11, 18, 11, 44, 0)
HTTPERR_FIELDS = "date time c-ip c-port s-ip s-port cs-version cs-method cs-uri streamid sc-status s-siteid s-reason s-queuename"
DEFAULT = "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"


def header(start, fields):
    return ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
            "#Date: " + start.strftime("%Y-%m-%d %H:%M:%S"), "#Fields: " + fields]


def requests(rng, server, base):
    """(time, method, stem, query, user, status, sub, win32, taken) tuples, time-ordered."""
    out = []
    t = base
    while t < base + timedelta(hours=3):
        t += timedelta(milliseconds=rng.randint(1500, 5200))
        stem = rng.choice(OK_URLS)
        if CRASH_START <= t < CRASH_END:
            continue
        out.append((t, "GET", stem, "-", "-", 200, 0, 0, rng.randint(3, 180)))
    def at(h, m, s=0):
        return base.replace(hour=h, minute=m, second=s) + timedelta(milliseconds=rng.randint(0, 999))
    for _ in range(68 if server == "web01" else 61):  # the hang: ARR's 30 s timeout
        t = at(10, rng.randint(42, 46), rng.randint(0, 59))
        out.append((t, "POST", "/api/orders/search", "page=" + str(rng.randint(1, 9)), "-", 502, 3, 12002, rng.randint(30001, 30090)))
    out.append((at(10, 44, 10), "GET", "/api/orders", "id=1841", "-", 502, 3, 12002, 30047))
    for _ in range(9 if server == "web01" else 7):  # backend down: connection refused
        out.append((at(11, 5, rng.randint(0, 59)), "GET", "/api/inventory", "-", "-", 502, 3, 12029, rng.randint(12, 40)))
    for stem in ["/favicon.ico", "/wp-login.php", "/.env", "/apple-touch-icon.png"] * 6:
        out.append((at(rng.randint(9, 11), rng.randint(0, 59)), "GET", stem, "-", "-", 404, 0, 2, rng.randint(1, 9)))
    for _ in range(14):  # Windows authentication: anonymous leg, NTLM leg, then success
        t = at(rng.randint(9, 11), rng.randint(0, 59))
        out.append((t, "GET", "/intranet/", "-", "-", 401, 2, 5, 1))
        out.append((t + timedelta(milliseconds=20), "GET", "/intranet/", "-", "-", 401, 1, 2148074254, 2))
        out.append((t + timedelta(milliseconds=45), "GET", "/intranet/", "-", "CONTOSO\\jdoe", 200, 0, 0, 31))
    for _ in range(5):
        out.append((at(rng.randint(9, 11), rng.randint(0, 59)), "GET", "/downloads/report.pdf", "-", "-", 200, 0, 64, rng.randint(20000, 95000)))
    if server == "web02":  # a deploy at 11:30 broke web.config on this server only
        for _ in range(12):
            out.append((at(11, rng.randint(30, 33), rng.randint(0, 59)), "GET", rng.choice(["/", "/api/orders"]), "-", "-", 500, 19, 13, rng.randint(0, 3)))
    out.sort(key=lambda r: r[0])
    return out


def line(fields, r, server, rng, cip):
    t, method, stem, query, user, st, sub, w32, taken = r
    v = {"date": t.strftime("%Y-%m-%d"), "time": t.strftime("%H:%M:%S"), "s-sitename": "W3SVC1",
         "s-computername": server.upper(), "s-ip": "10.0.1.11" if server == "web01" else "10.0.1.12",
         "cs-method": method, "cs-uri-stem": stem, "cs-uri-query": query, "s-port": "443", "cs-username": user,
         "c-ip": cip, "cs(User-Agent)": rng.choice(UA), "cs(Referer)": "-", "sc-status": str(st),
         "sc-substatus": str(sub), "sc-win32-status": str(w32), "sc-bytes": str(rng.randint(300, 90000)),
         "cs-bytes": str(rng.randint(200, 1500)), "time-taken": str(taken)}
    return " ".join(v[f] for f in fields.split())


def write(path, blocks):
    with open(path, "w", newline="\r\n") as f:
        for b in blocks:
            f.write("\n".join(b) + "\n")


def httperr(rng, server):
    """HTTP.sys refusals: the crash, the outage, and the usual idle-connection housekeeping."""
    sip = "10.0.1.11" if server == "web01" else "10.0.1.12"
    rows = []
    t = datetime(2026, 11, 18, 9, 0, 0)
    while t < datetime(2026, 11, 18, 12, 0, 0):  # keep-alive connections timing out: noise
        t += timedelta(seconds=rng.randint(60, 420))
        rows.append((t, "- - - - - - Timer_ConnectionIdle -"))
    crash = CRASH_START + timedelta(seconds=rng.randint(0, 5))
    for i in range(3):
        rows.append((crash + timedelta(milliseconds=40 * i), "HTTP/1.1 POST /api/orders/search - - 1 Connection_Abandoned_By_ReqQueue OrdersPool"))
    t = crash + timedelta(seconds=20)
    while t < CRASH_END:
        t += timedelta(milliseconds=rng.randint(2500, 6000))
        stem = rng.choice(["/api/orders", "/api/orders/search", "/", "/api/inventory"])
        rows.append((t, f"HTTP/1.1 GET {stem} - 503 1 AppOffline OrdersPool"))
    rows.append((datetime(2026, 11, 18, 9, 17, 12), "HTTP/1.1 GET /intranet/ - 400 - FieldLength -"))
    rows.sort(key=lambda r: r[0])
    lines = ["#Software: Microsoft HTTP API 2.0", "#Version: 1.0", "#Date: 2026-11-18 09:00:00", "#Fields: " + HTTPERR_FIELDS]
    for t, rest in rows:
        cip = "203.0.113." + str(rng.randint(10, 60))
        if rest.startswith("-"):
            lines.append(f"{t:%Y-%m-%d %H:%M:%S} {cip} {rng.randint(49152, 65535)} {sip} 443 {rest}")
        else:
            version, rest = rest.split(" ", 1)
            method, uri, rest = rest.split(" ", 2)
            lines.append(f"{t:%Y-%m-%d %H:%M:%S} {cip} {rng.randint(49152, 65535)} {sip} 443 {version} {method} {uri} {rest}")
    return lines


def main():
    base = datetime(2026, 11, 18, 9, 0, 0)
    for server in ["web01", "web02"]:
        rng = random.Random(server)
        reqs = requests(rng, server, base)
        ips = ["203.0.113." + str(i) for i in range(10, 60)]
        if server == "web01":
            restart = base.replace(hour=10, minute=50)
            first = [r for r in reqs if r[0] < restart]
            rest = [r for r in reqs if r[0] >= restart]
            blocks = [header(base, FULL) + [line(FULL, r, server, rng, rng.choice(ips)) for r in first],
                      header(restart, FULL2) + [line(FULL2, r, server, rng, rng.choice(ips)) for r in rest]]
        else:
            blocks = [header(base, DEFAULT) + [line(DEFAULT, r, server, rng, rng.choice(ips)) for r in reqs]]
        os.makedirs(f"testdata/farm/{server}/W3SVC1", exist_ok=True)
        write(f"testdata/farm/{server}/W3SVC1/u_ex261118.log", blocks)
        os.makedirs(f"testdata/farm/{server}/HTTPERR", exist_ok=True)
        write(f"testdata/farm/{server}/HTTPERR/httperr1.log", [httperr(random.Random(server + "-httperr"), server)])


if __name__ == "__main__":
    main()
