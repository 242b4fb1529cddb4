"""HTTP/1.1 on the wire, sans-IO: request bytes out, response events in.

Nothing here touches a socket or a clock. You hand `build_request` what you want to send and
get bytes back; you `feed` a `ResponseParser` whatever bytes arrived and get events back:

    >>> parser = ResponseParser()
    >>> for event in parser.feed(b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nOK"):
    ...     print(event)
    Head(status=200, reason='OK', headers=Headers([('Content-Length', '2')]))
    Data(data=b'OK')
    End(trailers=Headers([]))

The same bytes give the same events however they are split across `feed` calls: whole, one
byte at a time, or cut anywhere. One concern per module, read in this order (chapters 3 and 4
of the tutorial write each by hand; chapter 10 maps them):

    grammar.py    the ABNF of RFC 9110 and RFC 9112 as named regular expressions
    limits.py     how much a peer may send before the parser gives up
    headers.py    header fields, as a list
    values.py     the one pattern of frozen value classes
    events.py     Head, Data, End: what the parser returns
    request.py    the request writer, and the one way a target is built from caller input
    response.py   the response parser: the head, then one reader per body framing

docs/http-framing.md lists the rules, with their RFC sections.
"""

from .events import Data, End, Event, Head, body_of
from .headers import Headers
from .limits import (
    MAX_CHUNK_LINE_BYTES,
    MAX_CHUNK_SIZE_DIGITS,
    MAX_CONTENT_LENGTH_DIGITS,
    MAX_HEADER_BYTES,
)
from .request import UPGRADE_TO_TCP, QueryValue, build_request, chunked, quote, target
from .response import ResponseParser

__all__ = [
    "Headers",
    "Head",
    "Data",
    "End",
    "Event",
    "ResponseParser",
    "body_of",
    "build_request",
    "chunked",
    "UPGRADE_TO_TCP",
    "target",
    "quote",
    "QueryValue",
    "MAX_HEADER_BYTES",
    "MAX_CHUNK_LINE_BYTES",
    "MAX_CHUNK_SIZE_DIGITS",
    "MAX_CONTENT_LENGTH_DIGITS",
]
