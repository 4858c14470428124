"""Runs scim2-tester (python-scim) against a SCIM server: every check, one line each.

Usage: SCIM_URL=http://127.0.0.1:PORT/scim/v2 SCIM_TOKEN=... python conformance.py
Exits 1 when a check ends in ERROR or CRITICAL (SKIPPED and the RFC "SHOULD" statuses pass).
"""

import os
import sys
from collections import Counter

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

FAILING = {Status.ERROR, Status.CRITICAL}


def main() -> int:
    url = os.environ["SCIM_URL"]
    token = os.environ["SCIM_TOKEN"]
    http = Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    client = SyncSCIMClient(http)
    results = check_server(client)
    counts = Counter()
    for r in results:
        counts[r.status.name] += 1
        where = f"[{r.resource_type}] " if r.resource_type else ""
        line = f"{r.status.name:10} {where}{r.title}"
        if r.status in FAILING or os.environ.get("SCIM_VERBOSE"):
            line += f": {r.reason}"
        print(line)
    print("scim2-tester:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 1 if any(r.status in FAILING for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
