"""What the response parser returns: events, one pattern of small frozen classes.

A response is `Head` (status line and header fields), then any number of `Data` (body bytes,
chunk framing removed), then `End` (trailer fields, usually none): exactly one `Head` and one
`End` per response, in that order. Chapter 4 of the tutorial reads a response in one go;
chapter 10 shows the same response as these events.
"""

from __future__ import annotations

from .headers import Headers
from .values import Value

__all__ = ["Head", "Data", "End", "Event", "body_of"]


class Head(Value):
    """The status line and header fields: the first event of every response."""

    __hash__ = None  # type: ignore[assignment]  # Headers cannot be hashed

    status: int
    reason: str
    headers: Headers

    def __init__(self, status: int, reason: str, headers: Headers) -> None:
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "headers", headers)


class Data(Value):
    """A piece of the body, chunk framing removed. Never empty. Pieces do not follow the
    chunks: every body byte that one `feed` completes comes out as one `Data`."""

    data: bytes

    def __init__(self, data: bytes) -> None:
        object.__setattr__(self, "data", data)


class End(Value):
    """The response is complete. `trailers` are the fields after a chunked body (usually none:
    Docker sends none)."""

    __hash__ = None  # type: ignore[assignment]  # Headers cannot be hashed

    trailers: Headers

    def __init__(self, trailers: Headers) -> None:
        object.__setattr__(self, "trailers", trailers)


Event = Head | Data | End


def body_of(events: list[Event]) -> tuple[bytes, bool]:
    """The body bytes among `events` (what one `feed` returned), joined, and whether the
    response ended there: how a transport turns events into the pieces of a body.

        >>> body_of([Data(b"he"), Data(b"llo"), End(Headers())])
        (b'hello', True)
    """
    data = b"".join([event.data for event in events if isinstance(event, Data)])
    return data, bool(events) and isinstance(events[-1], End)  # End is always the last event
