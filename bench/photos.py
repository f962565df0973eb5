"""Benchmark: the photo pipeline next to bare Pillow on a 12-megapixel phone JPEG.

    .venv/bin/python bench/photos.py                 # 15 repeats
    .venv/bin/python bench/photos.py --repeat 31

The photo: 4000×3000, stored sideways with EXIF orientation 6, capture time and GPS, sensor-like
noise so that it weighs what a phone's JPEG weighs (~5 MB at quality 90; tests/photo_samples.py).

- **pipeline**: `storage.photos.process_photo`, everything a photo goes through before it is
  stored: format and size checks, EXIF capture time and GPS, reduced-scale (draft) decode, resize
  to the display size, orientation applied, display copy and thumbnail encoded without metadata,
  SHA-256 of the original and the perceptual hash.
- **bare**: Pillow doing only what cannot be skipped: open, `draft` decode, `thumbnail` to the same
  1600 px with the same resampling, save as JPEG at the same quality.

Time: both run alternately in this process (a shared, busy machine slows both alike), after one
unmeasured run each (imports, first-use costs); medians of wall and CPU time, and the ratio.
Memory: each runs once more in a fresh child process, which reports its peak resident set size
(VmHWM) and how much that grew over the process's size before the photo (Pillow's
pixel buffers are allocated in C, where tracemalloc cannot see them). Then `+ store`: the
pipeline's output written through `LocalMediaStore` (two files, fsync each), for information.
Target: ratio ≤ 1.3 with the pipeline's memory bounded (under 2× bare's growth).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from storage.photos import PhotoLimits, process_photo  # noqa: E402

LIMITS = PhotoLimits()
TARGET_RATIO = 1.3


def bare(data: bytes) -> bytes:
    """Draft decode + resize + save: the least any pipeline must do with this photo."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (LIMITS.display_px, LIMITS.display_px * 3 // 4))
    image.thumbnail((LIMITS.display_px, LIMITS.display_px))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=LIMITS.display_quality)
    return out.getvalue()


def pipeline(data: bytes) -> bytes:
    return process_photo(data, LIMITS).display


TARGETS = {"bare": bare, "pipeline": pipeline}


def status_kb(field: str) -> int:
    """A size from /proc/self/status, in KB: VmRSS (now) or VmHWM (peak). Not getrusage's
    ru_maxrss: Linux carries that over from the parent across fork + exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(target: str, path: str) -> None:
    """One run in a fresh process; prints peak RSS and its growth over the pre-run size (KB)."""
    data = Path(path).read_bytes()
    if target == "pipeline":
        import imagehash  # noqa: F401 - loaded before measuring: a web worker has it loaded already
    before = status_kb("VmRSS")
    TARGETS[target](data)
    peak = status_kb("VmHWM")
    print(json.dumps({"peak_kb": peak, "growth_kb": peak - before}))


def memory_of(target: str, path: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", target, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout)


def timed(fn, data: bytes) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn(data)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--child", nargs=2, metavar=("TARGET", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from tests.photo_samples import phone_jpeg

    data = phone_jpeg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "phone.jpg"
        path.write_bytes(data)
        photo = process_photo(data, LIMITS)
        print(
            f"photo: {Image.open(path).size[0]}×{Image.open(path).size[1]} JPEG, {len(data) / 1e6:.1f} MB, "
            f"EXIF orientation 6 + GPS; display {len(photo.display) / 1e3:.0f} KB, "
            f"thumbnail {len(photo.thumb) / 1e3:.0f} KB"
        )
        bare(data)  # warm-up runs, unmeasured
        figures: dict[str, list[tuple[float, float]]] = {"bare": [], "pipeline": []}
        for _ in range(args.repeat):
            for name, fn in TARGETS.items():
                figures[name].append(timed(fn, data))

        from storage.media import LocalMediaStore

        store = LocalMediaStore(Path(tmp) / "media", secret_key="bench")
        stored: list[float] = []
        for i in range(args.repeat):
            started = time.perf_counter()
            result = process_photo(data, LIMITS)
            store.put(f"photos/{i}/display.jpg", result.display, "image/jpeg")
            store.put(f"photos/{i}/thumb.jpg", result.thumb, "image/jpeg")
            stored.append((time.perf_counter() - started) * 1000)

        memory = {name: memory_of(name, path) for name in TARGETS}

    print(f"\nmedians of {args.repeat} alternating runs")
    print("target      |  wall ms  |  CPU ms  | peak RSS MB | growth MB")
    medians = {}
    for name, runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        medians[name] = (wall, cpu)
        peak_mb, growth_mb = memory[name]["peak_kb"] / 1024, memory[name]["growth_kb"] / 1024
        print(f"{name:<11} | {wall:8.1f} | {cpu:8.1f} | {peak_mb:11.1f} | {growth_mb:9.1f}")
    store_ms = statistics.median(stored)
    print(f"+ store     | {store_ms:8.1f} |          |             |   (pipeline + two fsynced files)")
    wall_ratio = medians["pipeline"][0] / medians["bare"][0]
    cpu_ratio = medians["pipeline"][1] / medians["bare"][1]
    print(f"ratio pipeline/bare: wall {wall_ratio:.2f}, CPU {cpu_ratio:.2f}")
    growth_ratio = memory["pipeline"]["growth_kb"] / max(1, memory["bare"]["growth_kb"])
    ok_time = wall_ratio <= TARGET_RATIO
    ok_memory = growth_ratio < 2
    print(f"{'PASS' if ok_time else 'FAIL'}: ratio ≤ {TARGET_RATIO} (wall {wall_ratio:.2f})")
    print(f"{'PASS' if ok_memory else 'FAIL'}: memory growth < 2× bare ({growth_ratio:.2f}×)")
    return 0 if ok_time and ok_memory else 1


if __name__ == "__main__":
    raise SystemExit(main())
