"""System endpoints: is the daemon there, what is it, what is happening on it."""

from __future__ import annotations

from ..wire import target
from .calls import (
    JSON,
    Call,
    Filters,
    StreamCall,
    Timestamp,
    _filters,
    _json_stream,
    _ping_ok,
    _time,
    endpoint,
    stream,
)

__all__ = ["System"]


class System:
    """`docker version`, `docker info`, `docker events`, and the ping that starts every session."""

    @endpoint
    def ping() -> Call[bool]:
        """`GET /_ping`: True when the daemon answers OK."""
        return Call("GET", "/_ping", result=_ping_ok, versioned=False)

    @endpoint
    def version() -> Call[JSON]:
        """`docker version`: `GET /version`."""
        return Call("GET", "/version")

    @endpoint
    def info() -> Call[JSON]:
        """`docker info`: `GET /info`."""
        return Call("GET", "/info")

    @stream
    def events(
        since: Timestamp | None = None,
        until: Timestamp | None = None,
        filters: Filters | None = None,
    ) -> StreamCall[JSON]:
        """`docker events`: `GET /events?since=..&until=..&filters=..`, yielding each event as a
        dict (`{"Type": "container", "Action": "start", "Actor": {...}, "time": ...}`). Without
        `until` it goes on until closed; there is no read timeout, as events may be rare."""
        query = {"since": _time(since), "until": _time(until), "filters": _filters(filters)}
        # Events come as they happen, until `until` if given: quiet for hours is not dead.
        return StreamCall("GET", target("/events", query=query), _json_stream, timeout=None)
