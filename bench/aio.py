"""Many requests at once: 200 concurrent `GET /containers/{id}/json`, three ways.

    python bench/aio.py                 # 9 rounds of 200 calls each
    python bench/aio.py --rounds 3 --calls 50

- rawdock.aio: one `rawdock.aio.Client`, `asyncio.gather` of 200 `inspect_container` calls
  (its pool: `MAX_CONNECTIONS` = 10 at a time; also shown with 50).
- aiodocker (aiohttp underneath; its connector allows 100 connections): 200 gathered
  `containers.get(id)`, which is the same request.
- rawdock sync on threads: a ThreadPoolExecutor mapping `inspect_container` over 200 calls, with
  10 and 50 threads.

Each contender keeps its client (and its kept-alive connections) across rounds and is warmed up
once first, so what is measured is the steady state of a long-running program, not connection
set-up. Rounds are interleaved (A, B, C, A, B, C...) so that a busy moment of the machine hits
all alike; the table shows the median round and the fastest and slowest. Needs the `bench`
extra (aiodocker) and a Docker engine; everything it creates is labelled rawdock.bench=<run id>
and removed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import aiodocker  # noqa: E402

import rawdock  # noqa: E402
import rawdock.aio  # noqa: E402
from rawdock.build import context_tar  # noqa: E402

RUN_ID = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
LABELS = {"rawdock.bench": RUN_ID}
IMAGE = f"rawdock-bench-busybox:{RUN_ID}"
DOCKERFILE = (
    b'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n'
)


def busybox_context() -> bytes:
    return context_tar({"Dockerfile": DOCKERFILE, "busybox": "/bin/busybox"})


Round = Callable[[], Awaitable[None]]
Closer = Callable[[], Awaitable[None]]


async def contenders(container: str, calls: int) -> tuple[dict[str, Round], Closer]:
    """name -> a coroutine function running one round; and a function closing them all."""
    aio10 = rawdock.aio.Client()
    aio50 = rawdock.aio.Client()
    aio50.transport.max_connections = 50
    aiod = aiodocker.Docker()
    sync = rawdock.Client()
    threads10, threads50 = ThreadPoolExecutor(10), ThreadPoolExecutor(50)
    loop = asyncio.get_running_loop()

    async def rawdock_aio(client: rawdock.aio.Client) -> None:
        results = await asyncio.gather(*(client.inspect_container(container) for _ in range(calls)))
        assert all(result["Id"] == container for result in results)

    async def with_aiodocker() -> None:
        results = await asyncio.gather(*(aiod.containers.get(container) for _ in range(calls)))
        assert all(result.id == container for result in results)

    def on_threads(pool: ThreadPoolExecutor) -> Round:
        def blocking() -> None:
            results = list(pool.map(sync.inspect_container, [container] * calls))
            assert all(result["Id"] == container for result in results)

        async def round_() -> None:
            # The round runs in a thread of its own so the loop is not the one blocking.
            await loop.run_in_executor(None, blocking)

        return round_

    rounds: dict[str, Round] = {
        "rawdock.aio (pool 10)": lambda: rawdock_aio(aio10),
        "rawdock.aio (pool 50)": lambda: rawdock_aio(aio50),
        "aiodocker (aiohttp, limit 100)": with_aiodocker,
        "rawdock sync, 10 threads": on_threads(threads10),
        "rawdock sync, 50 threads": on_threads(threads50),
    }

    async def close() -> None:
        await aio10.close()
        await aio50.close()
        await aiod.close()
        threads10.shutdown()
        threads50.shutdown()
        sync.close()

    return rounds, close


Samples = dict[str, list[tuple[float, float]]]  # (wall seconds, CPU seconds of this process)


async def measure(container: str, calls: int, rounds: int) -> Samples:
    runs, close = await contenders(container, calls)
    samples: Samples = {name: [] for name in runs}
    try:
        for run in runs.values():  # warm up: connections open, versions negotiated
            await run()
        for _ in range(rounds):
            for name, run in runs.items():
                started, cpu = time.perf_counter(), time.process_time()
                await run()
                wall = time.perf_counter() - started
                samples[name].append((wall, time.process_time() - cpu))
    finally:
        await close()
    return samples


def table(samples: Samples, calls: int) -> str:
    reference = statistics.median(wall for wall, _ in samples["rawdock.aio (pool 10)"])
    lines = [
        f"| client | wall, median of {len(next(iter(samples.values())))} rounds (ms) | "
        "fastest-slowest (ms) | vs rawdock.aio | client CPU per call (µs) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, times in samples.items():
        walls = [wall for wall, _ in times]
        median = statistics.median(walls)
        cpu = statistics.median(cpu for _, cpu in times)
        lines.append(
            f"| {name} | {median * 1e3:.1f} | {min(walls) * 1e3:.1f}-{max(walls) * 1e3:.1f} | "
            f"{median / reference:.2f}x | {cpu / calls * 1e6:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="concurrent calls per round")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    with rawdock.Client() as setup:
        for _ in setup.build(busybox_context(), tag=IMAGE, labels=LABELS):
            pass
        container = setup.create_container(
            {"Image": IMAGE, "Cmd": ["sleep", "600"], "Labels": LABELS}
        )["Id"]
        try:
            samples = asyncio.run(measure(container, args.calls, args.rounds))
        finally:
            setup.remove_container(container, force=True)
            setup.remove_image(IMAGE, force=True)
    print(
        f"{args.calls} concurrent inspect_container calls, Python {sys.version.split()[0]}, "
        f"aiodocker {aiodocker.__version__}\n"
    )
    print(table(samples, args.calls))


if __name__ == "__main__":
    main()
