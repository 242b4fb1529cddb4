"""`rawdock.aio.Client` behind `rawdock.Client`'s blocking interface, so that the integration
tests are written once and run against both clients.

The asyncio client runs on an event loop of its own in a background thread; each call from the
test waits for its coroutine there. Streams become plain iterators, opened at the call as the
sync client's are (so a 404 raises at `client.logs(...)`, not at the first `next()`). Tests may
call the adapter from several threads at once, as they may the sync client.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import rawdock.aio

T = TypeVar("T")

_END = object()


class BlockingAioClient:
    """Everything `rawdock.Client` offers, run by a `rawdock.aio.Client`: `adapter.aio`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.aio = rawdock.aio.Client(*args, **kwargs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="aio-adapter")
        self._thread.daemon = True
        self._thread.start()
        self._closed = False

    def wait(self, awaitable: Awaitable[T]) -> T:
        """Run `awaitable` on the adapter's loop and return (or raise) its outcome."""

        async def run() -> T:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.aio, name)
        if not callable(attr) or name.startswith("__"):
            return attr

        @functools.wraps(attr)
        def blocking(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            if isinstance(result, rawdock.aio.AsyncStream):
                return BlockingStream(self, self.wait(result.open()))
            if inspect.isawaitable(result):
                value = self.wait(result)
                if isinstance(value, rawdock.aio.AsyncHijackedStream):
                    return BlockingHijackedStream(self, value)
                return value
            return result

        return blocking

    @property
    def api_version(self) -> str:
        if self.aio.api_version is None:
            return self.wait(self.aio._negotiate())
        return self.aio.api_version

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.wait(self._close_everything())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()

    async def _close_everything(self) -> None:
        await self.aio.close()
        # Streams a test left open are closed too (a sync Stream closes when collected).
        for conn in list(self.aio.transport._live):
            conn.close()
        await asyncio.sleep(0)  # let the transports close their sockets

    def __enter__(self) -> BlockingAioClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class BlockingStream(Iterator[T]):
    """An `AsyncStream` as an iterator, like `rawdock.Stream`: `close()`, `with`, GC closes."""

    def __init__(self, adapter: BlockingAioClient, stream: rawdock.aio.AsyncStream[T]) -> None:
        self._adapter = adapter
        self._stream = stream
        self.headers = stream.headers

    def __next__(self) -> T:
        async def step() -> Any:
            try:
                return await self._stream.__anext__()
            except StopAsyncIteration:
                return _END

        item = self._adapter.wait(step())
        if item is _END:
            raise StopIteration
        return item  # type: ignore[no-any-return]

    def close(self) -> None:
        if not self._adapter._closed:
            self._adapter.wait(self._stream.aclose())

    def __enter__(self) -> BlockingStream[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Never wait here: the collector may run on the loop's own thread.
        try:
            self._adapter._loop.call_soon_threadsafe(self._stream._close)
        except RuntimeError:  # the adapter's loop is gone; the stream closed with it
            pass


class BlockingHijackedStream(Iterator[tuple[str, bytes]]):
    """An `AsyncHijackedStream` as a `rawdock.hijack.HijackedStream`: iterate, `write`,
    `close_write`, `communicate`, `close`."""

    def __init__(self, adapter: BlockingAioClient, stream: rawdock.aio.AsyncHijackedStream):
        self._adapter = adapter
        self._stream = stream
        self.session = stream.session

    def __next__(self) -> tuple[str, bytes]:
        async def step() -> Any:
            try:
                return await self._stream.__anext__()
            except StopAsyncIteration:
                return _END

        item = self._adapter.wait(step())
        if item is _END:
            raise StopIteration
        return item  # type: ignore[no-any-return]

    def write(self, data: bytes) -> None:
        self._adapter.wait(self._stream.write(data))

    def close_write(self) -> None:
        self._adapter.wait(self._stream.close_write())

    def communicate(self, input: bytes = b"") -> tuple[bytes, bytes]:
        return self._adapter.wait(self._stream.communicate(input))

    def close(self) -> None:
        if not self._adapter._closed:
            self._adapter.wait(self._stream.aclose())

    def __enter__(self) -> BlockingHijackedStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
