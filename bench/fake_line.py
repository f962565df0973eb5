"""The fake LINE platform as a child process of bench/webhook.py, so its threads do not share a GIL
with the constant-rate load driver.

    python bench/fake_line.py ACCESS_TOKEN TOKENS_FILE

TOKENS_FILE: one "<reply token> <user id>" per line; each is issued (valid for an hour) so the
bot's replies are accepted as real LINE would accept them. Prints "READY <base url>", then answers
"stats" on stdin with one JSON line of request/delivery counts; stops on EOF.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from bot.fakeline.server import FakeLinePlatform


def main() -> None:
    access_token, tokens_file = sys.argv[1], sys.argv[2]
    fake = FakeLinePlatform(access_token=access_token, validate=False, reply_token_ttl=3600.0)
    with open(tokens_file, encoding="ascii") as lines:
        for line in lines:
            token, user_id = line.split()
            fake.issue_reply_token(user_id, token)
    fake.start()
    try:
        print("READY", fake.base_url, flush=True)
        for command in sys.stdin:
            if command.strip() == "stats":
                requests = fake.requests
                calls = Counter(f"{r.method} {r.path.split('?')[0]} {r.status}" for r in requests)
                stats = {
                    "requests": len(requests),
                    "calls": dict(calls),
                    "deliveries": dict(Counter(d.kind for d in fake.deliveries)),
                    "violations": len(fake.violations),
                    "limit_violations": len(fake.limit_violations),
                }
                print(json.dumps(stats), flush=True)
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
