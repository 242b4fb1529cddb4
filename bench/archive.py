"""Files in and out of a container: rawdock against docker-py and the `docker cp` CLI.

    python bench/archive.py                 # a 1 GiB file, 3 interleaved rounds
    python bench/archive.py --mib 256       # a smaller file, for a loaded machine

put: a host file into the container's /tmp (PUT /containers/{id}/archive).
    rawdock    put_archive(id, "/tmp", rawdock.archive.tar_stream(file)): the tar made as it is
               sent, chunked;
    docker-py  container.put_archive("/tmp", open(tar)) with the same tar made beforehand on
               disk (docker-py does not make one from a path: this is its best case);
    docker cp  docker cp FILE ID:/tmp.
get: the file back out (GET /containers/{id}/archive).
    rawdock    get_archive(id, path) read to its end into a tar file on disk;
    docker-py  container.get_archive(path) read to its end into a tar file on disk;
    docker cp  docker cp ID:PATH DIR (it also unpacks the tar).

Throughput is the file's size over the median wall time of the timed rounds; CPU is the
contender's own (user and system) over the same call, the median of the rounds. Memory: the peak of
Python's allocations during the call (tracemalloc) for the two libraries, measured in one more
round of their own after the timed ones (tracemalloc hooks every allocation and would slow the
timed rounds of the Python contenders only), and the peak resident size of the `docker` process
for the CLI (Go: tracemalloc cannot see it) -- not the same measure, so both are shown.
Everything is labelled rawdock.bench=<run id> and removed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import support  # noqa: E402

import rawdock  # noqa: E402
import rawdock.archive  # noqa: E402

LABEL = "rawdock.bench"
RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
MIB = 2**20


def _file(directory: Path, mib: int) -> Path:
    path = directory / "payload.bin"
    block = os.urandom(MIB)
    with open(path, "wb") as out:
        for index in range(mib):
            out.write(block[index % MIB :] + block[: index % MIB])
    return path


def _tar_on_disk(source: Path, directory: Path) -> Path:
    tar = directory / "payload.tar"
    with open(tar, "wb") as out:
        for piece in rawdock.archive.tar_stream(source):
            out.write(piece)
    return tar


def _cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _python_time(run: Callable[[], None]) -> tuple[float, float, int]:
    cpu = _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))
    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    return elapsed, _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) - cpu, 0


def _python_peak(run: Callable[[], None]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _cli_peak(argv: list[str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        said = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{argv} failed: {said}")
    return elapsed, _cpu_seconds(usage), usage.ru_maxrss * 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the file (MiB)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import docker  # the bench extra

    client = rawdock.Client(version="1.41", timeout=600)
    dpy = docker.DockerClient(base_url="unix:///var/run/docker.sock", version="1.41", timeout=600)
    tag = f"rawdock-bench-archive:{RUN_ID}"
    support.build_busybox(client, tag)
    container_id = client.create_container(
        {
            "Image": tag,
            "Cmd": ["sh", "-c", "mkdir -p /tmp && exec sleep 3600"],
            "Labels": {LABEL: RUN_ID},
        }
    )["Id"]
    client.start_container(container_id)
    time.sleep(0.5)
    work = Path(tempfile.mkdtemp(prefix="rawdock-bench-archive-"))
    try:
        source = _file(work, args.mib)
        tar = _tar_on_disk(source, work)
        container = dpy.containers.get(container_id)
        remote = "/tmp/payload.bin"

        def rawdock_put() -> None:
            client.put_archive(container_id, "/tmp", rawdock.archive.tar_stream(source))

        def dockerpy_put() -> None:
            with open(tar, "rb") as data:
                assert container.put_archive("/tmp", data)

        def rawdock_get() -> None:
            with (
                open(work / "out-rawdock.tar", "wb") as out,
                client.get_archive(container_id, remote) as stream,
            ):
                for piece in stream:
                    out.write(piece)

        def dockerpy_get() -> None:
            bits, _ = container.get_archive(remote)
            with open(work / "out-dockerpy.tar", "wb") as out:
                for piece in bits:
                    out.write(piece)

        out, cid = work / "cli-out", container_id
        out.mkdir()
        contenders: list[tuple[str, str, Callable[[], tuple[float, int]]]] = [
            ("put", "rawdock", lambda: _python_time(rawdock_put)),
            ("put", "docker-py", lambda: _python_time(dockerpy_put)),
            ("put", "docker cp", lambda: _cli_peak(["docker", "cp", str(source), f"{cid}:/tmp"])),
            ("get", "rawdock", lambda: _python_time(rawdock_get)),
            ("get", "docker-py", lambda: _python_time(dockerpy_get)),
            ("get", "docker cp", lambda: _cli_peak(["docker", "cp", f"{cid}:{remote}", str(out)])),
        ]
        samples: dict[tuple[str, str], list[tuple[float, float, int]]] = {
            (direction, name): [] for direction, name, _ in contenders
        }
        # Interleaved, so that a busy moment hits every contender alike, and rotated round by
        # round, so that none always runs first. The page cache is flushed between the puts and
        # the gets (and after the gets): otherwise the first get would share the disk with the
        # writeback of the gigabyte the last put just wrote.
        for round_number in range(args.rounds):
            for direction in ("put", "get"):
                group = [c for c in contenders if c[0] == direction]
                turn = round_number % len(group)
                for _, name, run in group[turn:] + group[:turn]:
                    samples.setdefault((direction, name), []).append(run())
                    os.sync()
        python_peaks = {
            ("put", "rawdock"): _python_peak(rawdock_put),
            ("put", "docker-py"): _python_peak(dockerpy_put),
            ("get", "rawdock"): _python_peak(rawdock_get),
            ("get", "docker-py"): _python_peak(dockerpy_get),
        }
        size = args.mib * MIB
        load = os.getloadavg()
        print(
            f"{args.mib} MiB file, {args.rounds} rounds, load average {load[0]:.2f} "
            f"on {os.cpu_count()} CPUs"
        )
        print(
            f"{'':4} {'contender':10} {'median s':>9} {'MiB/s':>8} {'CPU s':>6} {'peak memory':>14}"
        )
        for (direction, name), runs in samples.items():
            seconds = statistics.median(elapsed for elapsed, _, _ in runs)
            cpu = statistics.median(cpu for _, cpu, _ in runs)
            peak = python_peaks.get((direction, name)) or max(peak for _, _, peak in runs)
            kind = "RSS" if name == "docker cp" else "py"
            print(
                f"{direction:4} {name:10} {seconds:9.2f} {size / MIB / seconds:8.0f} {cpu:6.2f} "
                f"{peak / MIB:9.1f} MiB {kind}"
            )
    finally:
        client.remove_container(container_id, force=True)
        client.remove_image(tag, force=True)
        for path in sorted(work.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        work.rmdir()
        dpy.close()
        client.close()


if __name__ == "__main__":
    main()
