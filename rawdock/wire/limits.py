"""How much the response parser accepts before it gives up: named limits, each with where its
number comes from. They are enforced while the bytes arrive, so a peer that never ends a head or
a line cannot make the parser buffer without bound (docs/http-framing.md, "Limits").
Chapter 4 of the tutorial reads a response without them; chapter 10 shows why they are here.
"""

from __future__ import annotations

__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_CHUNK_LINE_BYTES",
    "MAX_CHUNK_SIZE_DIGITS",
    "MAX_CONTENT_LENGTH_DIGITS",
]

#: The whole header section (status line, fields and the blank line after them), and
#: separately the trailer section. http.client allows 64 KiB per line; Docker's heads are a few
#: hundred bytes.
MAX_HEADER_BYTES = 64 * 1024

#: One chunk-size line with its extensions, CRLF not counted (RFC 9112 §7.1.1). Go's
#: net/http sends "<hex>\r\n" only; 1 KiB leaves room for any extension a proxy might add.
MAX_CHUNK_LINE_BYTES = 1024

#: 16 hex digits is 2**64 - 1: more cannot be a real size and could only be an attempt to
#: overflow a peer that reads the size into a 64-bit integer. Leading zeros do not count.
MAX_CHUNK_SIZE_DIGITS = 16

#: 19 decimal digits reach 10**19 - 1, past 2**63: the largest length any peer can mean.
MAX_CONTENT_LENGTH_DIGITS = 19
