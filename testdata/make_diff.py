#!/usr/bin/env python3
"""Writes the before/after pair under testdata/diff/ for `iisdiag diff` (deterministic; run
from the repository root).

Two front ends, WEB01 and WEB02, on 2026-11-18; a deploy at 11:00. The hour before holds 500
requests per server, the hour after 1,000 (traffic doubled). In both hours 2 % of the requests
are 404.0.2 on /favicon.ico and old links (the 404s double with the traffic: the same share).
After the deploy: a new 502.3.12002 group on /api/inventory, on WEB02 only (30 s timeouts, 45
of its 60 requests in the 11:05 burst); 500.0.0 grows from 5 requests per server on
/api/orders and /api/cart to 40 on /api/checkout; the 500.19.13 of before (8 per server) is
gone. WEB02's HTTP.sys log adds 12 new 503 QueueFull in the burst and idle-connection
timeouts at the same rate on both sides. /api/inventory answers 3 % of the requests on both sides (so the 11:05 burst, nearly all
/api/inventory from the sync job at 198.51.100.250, stands against a small share of the traffic before).
"""

import os
import random

FIELDS = ("date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port "
          "cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
          "time-taken")
UA = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)"
OK_URLS = ["/", "/shop/", "/api/products", "/api/cart", "/api/orders", "/css/site.css"]
NOT_FOUND = ["/favicon.ico", "/old/page.aspx", "/wp-login.php"]


def failures(rng, server, hour, n_requests):
    """(second of the hour, url, status, substatus, win32, ms) of the hour's failures."""
    out = []
    for i in range(n_requests // 50):  # 2 %
        out.append((rng.randrange(3600), NOT_FOUND[i % 3], 404, 0, 2, rng.randrange(1, 9)))
    if hour == 10:
        for url in ["/api/orders", "/api/orders", "/api/orders", "/api/cart", "/api/cart"]:
            out.append((rng.randrange(3600), url, 500, 0, 0, rng.randrange(80, 300)))
        for _ in range(8):
            out.append((rng.randrange(3600), "/reports/", 500, 19, 13, rng.randrange(1, 5)))
    else:
        for i in range(60 if server == "WEB02" else 0):
            # 45 in 11:05, the rest spread over the hour.
            sec = 300 + rng.randrange(60) if i < 45 else rng.randrange(600, 3600)
            out.append((sec, "/api/inventory", 502, 3, 12002, 30000 + rng.randrange(90)))
        for i in range(40):
            url = "/api/checkout" if i < 36 else "/api/orders"
            out.append((rng.randrange(3600), url, 500, 0, 0, rng.randrange(80, 300)))
    return out


def client(rng, url, status):
    """The last octet of c-ip: the inventory sync job (198.51.100.250) makes the 502s."""
    return 250 if status == 502 else rng.randrange(2, 250)


def write(server, ip, hour, n_requests, seed):
    rng = random.Random(seed)
    rows = failures(rng, server, hour, n_requests)
    # /api/inventory answers 3 % of the requests, before and after.
    for _ in range(n_requests * 3 // 100):
        rows.append((rng.randrange(3600), "/api/inventory", 200, 0, 0, rng.randrange(5, 120)))
    for _ in range(n_requests - len(rows)):
        rows.append((rng.randrange(3600), rng.choice(OK_URLS), 200, 0, 0, rng.randrange(5, 120)))
    rows.sort()
    return [
        "2026-11-18 %02d:%02d:%02d W3SVC1 %s %s GET %s - 443 - 198.51.100.%d %s - %d %d %d %d"
        % (hour, s // 60, s % 60, server, ip, url, client(rng, url, st), UA, st, sub, w, ms)
        for (s, url, st, sub, w, ms) in rows
    ]


HTTPERR_FIELDS = ("date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status "
                  "s-siteid s-reason s-queuename")


def httperr(ip):
    """WEB02's HTTP.sys log: idle connections timed out at the same rate on both sides, and in
    the 11:05 burst 12 requests refused with 503 QueueFull (the pool's queue full of hung
    /api/inventory calls)."""
    rng = random.Random(7)
    rows = []
    for hour, n in [(10, 4), (11, 8)]:
        for _ in range(n):
            s = rng.randrange(3600)
            rows.append((hour, s, "- - - - - Timer_ConnectionIdle -"))
    for i in range(12):
        rows.append((11, 330 + i, "HTTP/1.1 GET /api/inventory 503 1 QueueFull DefaultAppPool"))
    rows.sort()
    return [
        "2026-11-18 %02d:%02d:%02d 198.51.100.%d %d %s 443 %s"
        % (h, s // 60, s % 60, rng.randrange(2, 250), rng.randrange(49152, 65535), ip, rest)
        for (h, s, rest) in rows
    ]


def main():
    for side, hour, n in [("before", 10, 500), ("after", 11, 1000)]:
        for server, ip, seed in [("WEB01", "10.0.1.11", 1), ("WEB02", "10.0.1.12", 2)]:
            folder = os.path.join("testdata", "diff", server.lower(), "W3SVC1")
            os.makedirs(folder, exist_ok=True)
            name = os.path.join(folder, "u_ex26111810.log" if hour == 10 else "u_ex26111811.log")
            lines = write(server, ip, hour, n, seed * 10 + hour)
            with open(name, "w", newline="\r\n") as f:
                f.write("#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n")
                f.write("#Date: 2026-11-18 %02d:00:00\n#Fields: %s\n" % (hour, FIELDS))
                f.write("\n".join(lines) + "\n")
    folder = os.path.join("testdata", "diff", "web02", "HTTPERR")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "httperr1.log"), "w", newline="\r\n") as f:
        f.write("#Software: Microsoft HTTP API 2.0\n#Version: 1.0\n#Date: 2026-11-18 10:00:00\n")
        f.write("#Fields: %s\n" % HTTPERR_FIELDS)
        f.write("\n".join(httperr("10.0.1.12")) + "\n")


if __name__ == "__main__":
    main()
