"""Attach and exec against the docker CLI: the same commands, timed from outside, interleaved.

    python bench/hijack.py               # 100 MB through exec -i cat, and run --rm true; 7 rounds
    python bench/hijack.py --rounds 3 --megabytes 20

Two benchmarks, each a pair of shell commands run in turn (rawdock, docker, rawdock, docker, ...)
so that a busy moment of the machine hits both alike; the ratio is taken round by round and its
median reported, with the median wall time of each side:

- `exec -i C cat`: MEGABYTES of random bytes in through stdin, the same bytes out through stdout
  (checked byte for byte once, before the timed rounds), into /dev/null. The docker CLI is the
  yardstick: the goal is a ratio of 1.0 or less.
- `run --rm IMG true`: the whole life of a container, wall time.

Both CLIs talk to /var/run/docker.sock. Needs /usr/local/bin/docker (or `docker` on the PATH).
Everything created carries the label rawdock.bench=<run id> and is removed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rawdock  # noqa: E402
from rawdock.build import context_tar  # noqa: E402

LABEL = "rawdock.bench"
RUN_ID = f"hijack-{os.getpid()}-{uuid.uuid4().hex[:8]}"
RAWDOCK = f"{sys.executable} -m rawdock"
DOCKERFILE = b'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'


def docker_cli() -> str:
    found = shutil.which("docker") or "/usr/local/bin/docker"
    if not os.access(found, os.X_OK):
        sys.exit("bench/hijack.py needs the docker CLI to compare against")
    return found


def timed(command: str) -> float:
    """Wall seconds of `command` run by sh; a failure stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(["sh", "-c", command], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {command}\n{done.stderr.decode(errors='replace')}")
    return elapsed


def compare(title: str, ours: str, theirs: str, rounds: int) -> dict[str, float]:
    """Run the pair `rounds` times, interleaved (after one warm-up each); print and return the
    medians and the median of the round-by-round ratios."""
    timed(ours), timed(theirs)
    samples: list[tuple[float, float]] = []
    for _ in range(rounds):
        samples.append((timed(ours), timed(theirs)))
    rawdock_s = statistics.median(a for a, _ in samples)
    docker_s = statistics.median(b for _, b in samples)
    ratio = statistics.median(a / b for a, b in samples)
    spread = max(a / b for a, b in samples) - min(a / b for a, b in samples)
    print(f"| {title} | {rawdock_s:.3f} s | {docker_s:.3f} s | {ratio:.2f}x (range {spread:.2f}) |")
    return {"rawdock": rawdock_s, "docker": docker_s, "ratio": ratio}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--megabytes", type=int, default=100)
    options = parser.parse_args()
    docker = docker_cli()
    client = rawdock.Client()
    image = f"rawdock-bench-busybox:{RUN_ID}"
    labels = {LABEL: RUN_ID}
    context = context_tar({"Dockerfile": DOCKERFILE, "busybox": "/bin/busybox"})
    for _ in client.build(context, tag=image, labels=labels):
        pass
    container = client.create_container({"Image": image, "Cmd": ["sleep", "3600"], "Labels": labels})
    container_id = container["Id"]
    with tempfile.TemporaryDirectory() as scratch:
        data_path = Path(scratch, "data")
        data = os.urandom(options.megabytes * 1_000_000)
        data_path.write_bytes(data)
        try:
            client.start_container(container_id)
            copy = Path(scratch, "copy")
            timed(f"{RAWDOCK} exec -i {container_id} cat < {data_path} > {copy}")
            assert hashlib.sha256(copy.read_bytes()).digest() == hashlib.sha256(data).digest()
            copy.unlink()
            del data
            print(f"rawdock {rawdock.__version__} vs {subprocess.run([docker, '--version'], capture_output=True, text=True).stdout.strip()}, "
                  f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, {options.rounds} rounds")  # fmt: skip
            print("\n| benchmark | rawdock | docker CLI | rawdock / docker |\n|---|---|---|---|")
            compare(
                f"{options.megabytes} MB through `exec -i C cat`",
                f"{RAWDOCK} exec -i {container_id} cat < {data_path} > /dev/null",
                f"{docker} exec -i {container_id} cat < {data_path} > /dev/null",
                options.rounds,
            )
            label = f"--label {LABEL}={RUN_ID}"
            compare(
                "`run --rm IMG true`",
                f"{RAWDOCK} run --rm {label} {image} true",
                f"{docker} run --rm {label} {image} true",
                options.rounds,
            )
            compare(
                "`python -c pass` vs `docker --version` (start-up alone)",
                f"{sys.executable} -c pass",
                f"{docker} --version > /dev/null",
                options.rounds,
            )
        finally:
            for leftover in client.containers(all=True, filters={"label": [f"{LABEL}={RUN_ID}"]}):
                client.remove_container(leftover["Id"], force=True)
            client.remove_image(image, force=True)
            client.close()


if __name__ == "__main__":
    main()
