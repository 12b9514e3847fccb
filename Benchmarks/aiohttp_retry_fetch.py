#!/usr/bin/env python3
"""Baseline polite fetcher: aiohttp + aiohttp-retry (ExponentialRetry on 429), bounded concurrency.

usage: aiohttp_retry_fetch.py URLS.txt OUT.ndjson [CONCURRENCY=32] [ATTEMPTS=4] [START_TIMEOUT=0.5]
One JSON line per URL: url, ok, status (final).
"""
import asyncio
import json
import sys

import aiohttp
from aiohttp_retry import ExponentialRetry, RetryClient


async def main(path: str, out_path: str, conc: int, attempts: int, start: float) -> int:
    with open(path) as f:
        urls = [u.strip() for u in f if u.strip()]
    sem = asyncio.Semaphore(conc)
    retry = ExponentialRetry(attempts=attempts, statuses={429}, start_timeout=start)
    connector = aiohttp.TCPConnector(limit=conc, limit_per_host=0)
    failed = 0
    with open(out_path, "w") as out:
        async with RetryClient(connector=connector, retry_options=retry,
                               raise_for_status=False) as client:

            async def fetch(url: str) -> None:
                nonlocal failed
                async with sem:
                    try:
                        async with client.get(url) as resp:
                            await resp.read()
                            rec = {"url": url, "ok": resp.status == 200, "status": resp.status}
                    except Exception as e:  # noqa: BLE001
                        rec = {"url": url, "ok": False, "status": None, "error": type(e).__name__}
                if not rec["ok"]:
                    failed += 1
                out.write(json.dumps(rec) + "\n")

            await asyncio.gather(*(fetch(u) for u in urls))
    return 1 if failed else 0


if __name__ == "__main__":
    a = sys.argv
    sys.exit(asyncio.run(main(a[1], a[2],
                              int(a[3]) if len(a) > 3 else 32,
                              int(a[4]) if len(a) > 4 else 4,
                              float(a[5]) if len(a) > 5 else 0.5)))
