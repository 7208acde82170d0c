"""How fast `opencsp --help` answers (issue #2 target: under 0.3 s).

Runs the installed console script N times in fresh processes and prints the median, the
spread, and the same for a bare `python -c pass` as the floor, so the figure can be read
on a noisy shared machine as a ratio to the interpreter's own start-up."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 21
TARGET_SECONDS = 0.3


def _time(cmd: list[str]) -> list[float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    beside = Path(sys.executable).parent / "opencsp"
    script = str(beside) if beside.exists() else shutil.which("opencsp") or "opencsp"
    help_s = _time([script, "--help"])
    floor_s = _time([sys.executable, "-c", "pass"])
    med, base = statistics.median(help_s), statistics.median(floor_s)
    print(
        f"opencsp --help   median {med * 1000:7.1f} ms  "
        f"(min {min(help_s) * 1000:.1f}, max {max(help_s) * 1000:.1f}, n={RUNS})"
    )
    print(f"python -c pass   median {base * 1000:7.1f} ms")
    print(
        f"ratio to bare interpreter: {med / base:.1f}x; target {TARGET_SECONDS * 1000:.0f} ms: "
        f"{'met' if med < TARGET_SECONDS else 'MISSED'}"
    )
    return 0 if med < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
