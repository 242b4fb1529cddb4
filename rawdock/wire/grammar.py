"""The grammar of an HTTP/1.1 response, as the RFCs write it: each ABNF rule a named regular
expression, built from the rules before it, and compiled once at import.

Read it beside RFC 9110 (HTTP semantics: tokens, field values, quoted strings) and RFC 9112
(HTTP/1.1 syntax: status line, field lines, chunked coding); each rule cites its section. Where
rawdock accepts more than the rule, the comment says what and why: only ever something that
cannot change where a message ends. docs/http-framing.md gathers the rules; chapters 3 and 4 of
the tutorial write them by hand.

    >>> CHUNK_LINE.fullmatch(b'1a;name="x;y"')["size"]
    b'1a'
    >>> print(CHUNK_LINE.fullmatch(b"1a  "))  # whitespace with no extension after it
    None
"""

from __future__ import annotations

import re

__all__ = [
    "TOKEN",
    "FIELD_VALUE",
    "STATUS_LINE",
    "FIELD_LINE",
    "CHUNK_LINE",
    "CONTENT_LENGTH",
]

# --- RFC 9110: the rules shared by every version of HTTP --------------------------------------

# §5.6.2  token = 1*tchar
#         tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`"
#                 / "|" / "~" / DIGIT / ALPHA
_tchar = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]"
_token = _tchar + rb"+"

# §5.6.3  OWS = *( SP / HTAB )   (optional whitespace)
#         BWS = OWS              ("bad" whitespace: allowed, never to be sent)
_ows = rb"[ \t]*"
_bws = _ows

# §5.6.4  quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#         qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#         quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
#         obs-text      = %x80-FF
_qdtext = rb"[\t !#-\[\]-~\x80-\xff]"
_quoted_pair = rb"\\[\t -~\x80-\xff]"
_quoted_string = rb'"(?:' + _qdtext + rb"|" + _quoted_pair + rb')*"'

# §5.5  field-value = *field-content; field-content is VCHAR, obs-text, SP and HTAB.
# Accepted: any byte but CR, LF and NUL. §5.5 requires rejecting those three (they end a line
# early or cut a string short in C); it lets a recipient keep the other controls, and a value
# never decides where a message ends (the framing fields are checked again on their own).
_field_value = rb"[^\r\n\x00]*"

# --- RFC 9112: HTTP/1.1 messages --------------------------------------------------------------

# §2.3  HTTP-version = HTTP-name "/" DIGIT "." DIGIT;  HTTP-name = %s"HTTP" (case-sensitive)
# Only major version 1 is HTTP/1.x; any minor version is read as 1.1 would be (§2.3).
_http_version = rb"HTTP/1\.(?P<minor>[0-9])"

# §4  status-line   = HTTP-version SP status-code SP [ reason-phrase ]
#     status-code   = 3DIGIT     (RFC 9110 §15: 100-599 are the classes a client understands)
#     reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
# Accepted: no SP at all when the reason is empty (servers do send "HTTP/1.1 200"), and any
# byte but CR, LF and NUL in the reason: nothing reads it, it is text for people.
_status_line = (
    _http_version + rb" (?P<status>[1-5][0-9][0-9])(?: (?P<reason>" + _field_value + rb"))?"
)

# §5  field-line = field-name ":" OWS field-value OWS;  field-name = token
# No whitespace between the name and the colon (§5.1: it must be rejected, for a proxy might
# read "Content-Length : 5" as another field than the server did). The OWS after the value is
# matched by the value and stripped by the caller.
_field_line = rb"(?P<name>" + _token + rb"):" + _ows + rb"(?P<value>" + _field_value + rb")"

# §7.1    chunk      = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
#         chunk-size = 1*HEXDIG          (last-chunk = 1*("0") [ chunk-ext ] CRLF)
# §7.1.1  chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#         chunk-ext-name = token
#         chunk-ext-val  = token / quoted-string
# So "25  " (whitespace with no ";"), "2;" (no name) and an unclosed quoted value are errors.
# Extensions carry nothing rawdock uses: they are checked, then ignored (§7.1.1 allows it).
_chunk_ext = (
    rb"(?:" + _bws + rb";" + _bws + _token
    + rb"(?:" + _bws + rb"=" + _bws + rb"(?:" + _token + rb"|" + _quoted_string + rb"))?)*"
)  # fmt: skip
_chunk_line = rb"(?P<size>[0-9A-Fa-f]+)" + _chunk_ext

# RFC 9110 §8.6  Content-Length = 1*DIGIT  (ASCII digits: int() would also take "+3", "1_0",
# " 7" and the digits of other scripts)
_content_length = rb"[0-9]+"

# --- Compiled once, here ----------------------------------------------------------------------
# The rules the parser and the request writer match, whole (fullmatch: no anchors needed).
# (Compiling costs about 70 µs a rule at start-up: the rules used only inside others are not.)
TOKEN = re.compile(_token)
FIELD_VALUE = re.compile(_field_value)
STATUS_LINE = re.compile(_status_line)
FIELD_LINE = re.compile(_field_line)
CHUNK_LINE = re.compile(_chunk_line)
CONTENT_LENGTH = re.compile(_content_length)
