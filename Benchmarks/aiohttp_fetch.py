#!/usr/bin/env python3
"""Baseline fetcher: aiohttp + asyncio.Semaphore(C); one JSON line per URL.

usage: aiohttp_fetch.py URLS.txt OUT.ndjson CONCURRENCY
"""
import asyncio
import json
import sys

import aiohttp


async def main(path: str, out_path: str, conc: int) -> int:
    with open(path) as f:
        urls = [u.strip() for u in f if u.strip()]
    sem = asyncio.Semaphore(conc)
    connector = aiohttp.TCPConnector(limit=conc, limit_per_host=0, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(total=30)
    failed = 0
    with open(out_path, "w", buffering=1 << 20) as out:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def fetch(url: str) -> None:
                nonlocal failed
                async with sem:
                    try:
                        async with session.get(url) as resp:
                            body = await resp.read()
                            rec = {"url": url, "ok": 200 <= resp.status < 300,
                                   "status": resp.status, "bytes": len(body)}
                    except Exception as e:  # noqa: BLE001
                        rec = {"url": url, "ok": False, "status": None, "error": type(e).__name__}
                if not rec["ok"]:
                    failed += 1
                out.write(json.dumps(rec) + "\n")

            await asyncio.gather(*(fetch(u) for u in urls))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
