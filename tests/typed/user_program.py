"""A user's program, as the README writes it: tests/test_typing.py runs `mypy --strict` on it.
Never run; only type-checked. If a stream's type loses `with` or `close()`, this stops passing."""

from __future__ import annotations

import rawdock
import rawdock.aio


def watch(client: rawdock.Client) -> None:
    with client.events(filters={"type": ["container"]}) as events:  # leaving the block closes it
        for event in events:
            print(event["Action"])
    stream = client.logs("web", follow=True)
    for name, data in stream:
        print(name, data.decode())
        break
    stream.close()
    ok: bool = client.with_deadline(5).ping()
    print(ok, client.request("GET", "/_ping").status)


async def watch_async(client: rawdock.aio.Client) -> None:
    async with client.events() as events:
        async for event in events:
            print(event["Action"])
    stream = await client.logs("web", follow=True)
    async for name, data in stream:
        print(name, data.decode())
        break
    await stream.aclose()
    ok: bool = await client.with_deadline(5).ping()
    print(ok, (await client.request("GET", "/_ping")).status)
