"""Requests as bytes: the request writer (`build_request`) and the one way a request target is
built from caller input (`target`, `quote`). Chapter 3 of the tutorial writes a request by
hand; chapter 6 percent-encodes a query string.

Everything here refuses what could change the shape of a request: no caller input can end a
line early, add a field, or start a second request on the same connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..errors import InvalidArgument
from .grammar import FIELD_VALUE, TOKEN

__all__ = ["build_request", "chunked", "UPGRADE_TO_TCP", "target", "quote", "QueryValue"]


# --- The request (RFC 9112 §3) ----------------------------------------------------------------

#: The fields that ask the daemon to hijack the connection (attach, exec start): once it answers
#: `101 UPGRADED`, the socket carries raw bytes both ways (RFC 9110 §7.8 Upgrade, §15.2.2 101).
#: "tcp" is Docker's own protocol name, not a registered one; the daemon only checks the field
#: is there (without it, it answers 200 and hijacks anyway).
UPGRADE_TO_TCP = (("Connection", "Upgrade"), ("Upgrade", "tcp"))


#: Fields whose values are credentials: an error names the field, never shows the value.
_SECRET_FIELDS = frozenset({"authorization", "x-registry-auth", "x-registry-config"})


def build_request(
    method: str, target: str, headers: Iterable[tuple[str, str]], body: bytes = b""
) -> bytes:
    """The bytes of one request: request line, header fields, blank line, body.

        >>> build_request("POST", "/build", [("Host", "docker")], b"{}")
        b'POST /build HTTP/1.1\\r\\nHost: docker\\r\\nContent-Length: 2\\r\\n\\r\\n{}'

    Adds `Content-Length` when there is a body and the caller gave none (RFC 9112 §6.2).
    Raises `ValueError` for a method or field name that is not a token, for CR, LF or NUL in
    a value, and for anything but a printable path in the target."""
    # request-line = method SP request-target SP HTTP-version  (§3); method = token
    if not TOKEN.fullmatch(method.encode("latin-1", "replace")):
        raise ValueError(f"invalid HTTP method {method!r}")
    # request-target in origin-form (§3.2.1): a path starting with "/". No whitespace and no
    # controls (C0 and DEL): some parsers split the request line on any of them.
    # (isprintable() is False for every C0 control and DEL; the space is checked apart.)
    if not target.startswith("/") or not target.isprintable() or " " in target:
        raise ValueError(f"invalid request target {target!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    has_length = False
    for name, value in headers:
        # field-line = field-name ":" OWS field-value OWS  (§5); a name outside latin-1 becomes
        # "?", not a token; a value outside latin-1 fails in encode() below (a ValueError too).
        if not TOKEN.fullmatch(name.encode("latin-1", "replace")):
            raise ValueError(f"invalid header name {name!r}")
        if not FIELD_VALUE.fullmatch(value.encode("latin-1", "replace")):
            shown = "<redacted>" if name.lower() in _SECRET_FIELDS else repr(value)
            raise ValueError(f"invalid value for header {name}: {shown}")
        lines.append(f"{name}: {value}")
        has_length = has_length or name.lower() == "content-length"
    if body and not has_length:
        lines.append(f"Content-Length: {len(body)}")
    # latin-1 is HTTP's historical field encoding (RFC 9110 §5.5).
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """A body of unknown length framed as chunks (RFC 9112 §7.1): each non-empty piece as
    `size-in-hex CRLF data CRLF`, then the last chunk `0 CRLF CRLF` (no trailers). An empty
    piece is skipped, since a chunk of size 0 would end the body.

        >>> b"".join(chunked([b"hello", b"", b" world"]))
        b'5\\r\\nhello\\r\\n6\\r\\n world\\r\\n0\\r\\n\\r\\n'
    """
    for piece in pieces:
        if piece:
            yield b"%x\r\n%b\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


# --- The target from caller input (RFC 3986 §2-3) ---------------------------------------------

# Unreserved characters never need encoding (RFC 3986 §2.3).
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
# In a path segment ":" and "@" are allowed too (pchar, §3.3): they keep image references such
# as "busybox:latest" readable in a trace.
_SEGMENT_SAFE = _UNRESERVED + b":@"

#: What a query parameter may be given as: text, a number, a flag, None (left out), or a
#: structure sent as JSON (Docker's `filters`).
QueryValue = str | int | bool | None | Mapping[str, Any] | list[Any]


def quote(text: str, safe: bytes = _UNRESERVED) -> str:
    """Percent-encode every UTF-8 byte of `text` outside `safe` (RFC 3986 §2.1).

    >>> quote("a b/c")
    'a%20b%2Fc'
    """
    raw = text.encode("utf-8")
    return "".join(chr(byte) if byte in safe else f"%{byte:02X}" for byte in raw)


def _query_value(value: QueryValue) -> str:
    # Docker reads booleans as "anything but '', 0, no, false, none"; send 1/0 to be unambiguous.
    # Filters and other structured values go as JSON, as the docker CLI sends them.
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, Mapping)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def target(template: str, *segments: str, query: Mapping[str, QueryValue] | None = None) -> str:
    """The one way a request target is built from caller input.

    `template` is the endpoint's path with `{}` where each segment goes; every segment is
    percent-encoded (a "/" inside an image name becomes %2F), and query values are encoded with
    None values dropped:

        >>> target("/containers/{}/stop", "web", query={"t": 5, "signal": None})
        '/containers/web/stop?t=5'
        >>> target("/containers/{}/json", "../images/json?x")
        Traceback (most recent call last):
        ...
        rawdock.errors.InvalidArgument: path segment '../images/json?x' has a '.' or '..' part

    Empty segments and "."/".." parts are refused: the daemon's router decodes %2F back to "/"
    and would then resolve dot-segments, reaching another endpoint."""
    encoded = []
    for segment in segments:
        if not isinstance(segment, str) or not segment:
            raise InvalidArgument(f"path segment must be a non-empty string, not {segment!r}")
        if any(part in (".", "..") for part in segment.split("/")):
            raise InvalidArgument(f"path segment {segment!r} has a '.' or '..' part")
        encoded.append(quote(segment, _SEGMENT_SAFE))
    path = template.format(*encoded)
    pairs = [
        f"{quote(str(key))}={quote(_query_value(value))}"
        for key, value in (query or {}).items()
        if value is not None
    ]
    return path + "?" + "&".join(pairs) if pairs else path
