"""A hijacked connection (attach, exec) over asyncio: `rawdock.hijack`'s session, read and
written with coroutines.

    async with await client.exec_start(exec_id, stdin=True) as session:
        await session.write(b"hello\\n")
        await session.close_write()
        async for stream, data in session:
            ...

Everything but the I/O is `rawdock.hijack.HijackSession`, shared with the blocking stream.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

from .errors import ProtocolError, TransportError
from .exchange import TraceHook
from .hijack import RECV_SIZE, WRITE_SIZE, HijackSession, Item, Output

__all__ = ["AsyncHijackedStream"]


class AsyncHijackedStream(AsyncIterator[Item]):
    """`rawdock.hijack.HijackedStream` for asyncio: `async for` the output, `await write()`,
    `await close_write()`, `close()` (or `async with`). One task may read while another
    writes. Half-closing over TLS shuts down the TCP connection under TLS, as the blocking
    stream and the docker CLI do (asyncio has no `write_eof` for TLS)."""

    def __init__(
        self,
        reader: asyncio.StreamReader | None,
        writer: asyncio.StreamWriter | None,
        session: HijackSession,
        trace: TraceHook | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.session = session
        self._trace = trace

    async def __anext__(self) -> Item:
        session = self.session
        while (item := session.next_item()) is None:
            if session.ended or self._reader is None:
                raise StopAsyncIteration
            try:
                data = await self._reader.read(RECV_SIZE)
            except OSError as exc:
                self.close()
                raise TransportError(f"the hijacked stream failed: {exc}") from None
            except BaseException:  # cancelled: the session cannot be trusted any more
                self.close()
                raise
            if self._trace:
                self._trace("raw-recv", data)
            try:
                session.receive_data(data)
            except (ProtocolError, TransportError, ValueError):
                self.close()
                raise
        return item

    async def write(self, data: bytes) -> None:
        """Send `data` to the process's stdin, as is (stdin is never framed)."""
        self.session.check_writable()
        if self._writer is None:
            raise TransportError("cannot write: the stream is closed")
        if self._trace:
            self._trace("raw-send", data)
        try:
            self._writer.write(data)
            await self._writer.drain()
        except (OSError, RuntimeError):
            raise self.session.write_failed() from None

    async def close_write(self) -> None:
        """Tell the process its stdin is finished (EOF), keeping the output coming."""
        writer = self._writer
        if not self.session.close_write() or writer is None:
            return
        if self._trace:
            self._trace("raw-send", b"")
        try:
            if writer.can_write_eof():
                writer.write_eof()
                return
            # TLS: everything written must be on the wire before the TCP side under it shuts.
            writer.transport.set_write_buffer_limits(0)
            await writer.drain()
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.shutdown(socket.SHUT_WR)
        except (OSError, RuntimeError):
            pass  # already closed by the daemon: the process has exited

    async def communicate(self, input: bytes = b"") -> tuple[bytes, bytes]:
        """Write `input`, half-close, and read the output to its end: `(stdout, stderr)`. The
        input goes out from a second task while this one reads."""

        async def send() -> None:
            try:
                for start in range(0, len(input), WRITE_SIZE):
                    await self.write(input[start : start + WRITE_SIZE])
                await self.close_write()
            except TransportError:
                pass  # the process exited before reading it all, as a pipe's reader may

        writer = asyncio.ensure_future(send()) if self.session.writable else None
        output = Output()
        try:
            async for item in self:
                output.add(item)
        except BaseException:
            self.close()
            raise
        finally:
            if writer is not None:
                await writer
        return output.joined()

    def close(self) -> None:
        """Close the connection at once: the daemon sees the attach (or exec) end."""
        writer, self._writer, self._reader = self._writer, None, None
        self.session.ended = True
        self.session.writable = False
        if writer is not None:
            try:
                writer.close()
            except RuntimeError:  # its event loop is already closed
                pass

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> AsyncHijackedStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
