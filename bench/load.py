"""Load for bench/webhook.py: signed webhook request pools, wrk runs and a constant-rate sender,
and the small statistics helpers they print with."""

from __future__ import annotations

import http.client
import itertools
import json
import random
import secrets
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.fakeline.events import new_user_id, sign, text_event, webhook_body

BENCH_DIR = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH_DIR / "signed_requests.lua"

# What coordinators and subscribers type to the bot (GLOSSARY.md vocabulary); lengths vary.
THAI_TEXTS = [
    "สวัสดีครับ",
    "สวัสดีค่ะ อยากสมัครเข้าร่วมโครงการภาคีเครือข่ายร่วมใจลดก๊าซเรือนกระจกค่ะ",
    "รายงานกิจกรรม",
    "เดือนนี้หน่วยงานเราปลูกต้นไม้ไป 120 ต้น บนพื้นที่ 3 ไร่ 2 งานครับ",
    "คัดแยกขยะเพื่อนำไปรีไซเคิลได้ ๒๕๐ กก. ช่วงเดือน ก.ค. ๒๕๖๗",
    "ค่าไฟเดือน มิ.ย. ลดลงจาก 4,520 หน่วย เหลือ 3,980 หน่วยค่ะ",
    "ติดตั้งโซลาร์รูฟท็อปขนาด 10 กิโลวัตต์ที่อาคารสำนักงาน อบต. แล้วครับ",
    "กำหนดส่งรายงานผลการดำเนินกิจกรรมวันไหนคะ",
    "ขอดูผลการลดก๊าซเรือนกระจกของหน่วยงานหน่อยครับ",
    "ใบประกาศเกียรติคุณ (LOR) ของเราได้รับอนุมัติหรือยังคะ",
    "ทำปุ๋ยหมักจากเศษอาหารในโรงเรียนได้ประมาณ 1.5 ตันต่อเดือน",
    "เดินทางมางานด้วยรถไฟฟ้า ระยะทางประมาณ 18 กม. ครับ",
    "แก้ไขรายงานกิจกรรมที่ส่งไปเมื่อวานได้ไหมคะ ตัวเลขพื้นที่ผิด ควรเป็น 250 ตร.ว.",
    "ขอบคุณครับ",
    "เมนู",
    "การอนุรักษ์ป่าชุมชนบ้านห้วยหินลาด ดูแลพื้นที่ ๑,๒๐๐ ไร่ นับเป็นกิจกรรมประเภทไหนครับ",
]


# --- small helpers --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine from /proc/stat ((0, 0) where there is none)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy_since(before: tuple[int, int]) -> float:
    busy, total = cpu_times()
    return (busy - before[0]) / (total - before[1]) if total > before[1] else float("nan")


class Interrupted(Exception):
    pass


def on_sigterm(signum, frame):
    raise Interrupted(f"signal {signum}")


# --- load generation ------------------------------------------------------------------------
@dataclass
class Pool:
    """Signed requests: (signature, body); written to a file wrk's Lua script reads."""

    path: Path
    requests: list[tuple[str, bytes]]


def make_pools(
    work: Path, secret: str, sizes: dict[str, int], users: int, seed: int
) -> tuple[dict[str, Pool], Path]:
    """Pre-generate one file of unique signed requests per measurement; returns the pools and a
    file of (reply token, user) pairs for the fake LINE platform."""
    rng = random.Random(seed)
    user_ids = [new_user_id() for _ in range(users)]
    tokens_path = work / "reply_tokens.txt"
    pools: dict[str, Pool] = {}
    with tokens_path.open("w", encoding="ascii") as tokens:
        for name, size in sizes.items():
            path = work / f"requests-{name}.txt"
            requests: list[tuple[str, bytes]] = []
            with path.open("wb") as out:
                for _ in range(size):
                    user = rng.choice(user_ids)
                    reply_token = secrets.token_hex(16)
                    event = text_event(
                        user,
                        rng.choice(THAI_TEXTS),
                        timestamp_ms=int(time.time() * 1000),
                        reply_token=reply_token,
                    )
                    body = webhook_body([event], destination="U" + "0" * 32)
                    signature = sign(secret, body)
                    requests.append((signature, body))
                    out.write(signature.encode() + b"\t" + body + b"\n")
                    tokens.write(f"{reply_token} {user}\n")
            pools[name] = Pool(path, requests)
    return pools, tokens_path


# --- measurements ---------------------------------------------------------------------------
@dataclass
class Result:
    requests: int
    seconds: float
    p50: float  # seconds
    p99: float
    errors: int  # transport errors and non-2xx
    unique: int = 0  # requests sent before their wrk thread ran out of its share of the pool
    cpu: float = float("nan")  # share of all CPUs busy during the run (server, load generator, DB)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run_wrk(port: int, pool: Pool, seconds: float, threads: int, connections: int) -> Result:
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        f"http://127.0.0.1:{port}/callback",
        "--",
        str(pool.path),
        str(threads),
    ]
    cpu_before = cpu_times()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    cpu = cpu_busy_since(cpu_before)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip()[:500]}")
    data = json.loads(line[len("BENCH ") :])
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    seconds_run = data["duration_us"] / 1e6
    return Result(
        data["requests"],
        seconds_run,
        data["p50_us"] / 1e6,
        data["p99_us"] / 1e6,
        errors,
        cpu=cpu,
        unique=data["unique"],
    )


def run_constant_rate(port: int, pool: Pool, rate: float, seconds: float, threads: int = 32) -> Result:
    """Open loop: request i is due at start + i/rate; its latency is counted from that due time,
    so a slow server (or a driver that fell behind) cannot hide queueing (coordinated omission)."""
    n = int(rate * seconds)
    if n > len(pool.requests):
        raise RuntimeError("constant-rate pool too small")
    latencies = [0.0] * n
    ok = [False] * n
    counter = itertools.count()
    start = time.perf_counter() + 0.2
    cpu_before = cpu_times()

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        while (i := next(counter)) < n:
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            signature, body = pool.requests[i]
            headers = {"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": signature}
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/callback", body, headers)
                response = conn.getresponse()
                response.read()
                ok[i] = 200 <= response.status < 300
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
            latencies[i] = time.perf_counter() - due
        if conn is not None:
            conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    cpu = cpu_busy_since(cpu_before)
    return Result(
        n, elapsed, percentile(ordered, 50), percentile(ordered, 99), ok.count(False), cpu=cpu, unique=n
    )
