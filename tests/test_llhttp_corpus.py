"""llhttp's response cases, read by rawdock: tests/llhttp_responses.json.

nodejs/llhttp (the parser inside Node.js) keeps its edge cases as data: raw bytes and what its
strict parser makes of them. The fixture holds those bytes with rawdock's own reading of each
and the rule that decides it (RFC 9110 / RFC 9112), not llhttp's: where llhttp is lenient
(empty lines between responses, RTSP, HTTP/0.9, keep-alive on HTTP/1.0), rawdock is not, and
the `why` says which rule it keeps. llhttp's verdict is kept beside it for the record.

Each case is read as a connection: response after response while the connection persists,
then EOF. Fed whole, then one byte at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from wire_messages import bytewise

from rawdock.errors import ProtocolError
from rawdock.wire import Data, Event, Head, ResponseParser

FIXTURE = json.loads((Path(__file__).parent / "llhttp_responses.json").read_text())


def read_connection(pieces: list[bytes], method: str) -> list[Any]:
    """Each response the bytes hold (status, body, keep_alive), then how the connection ends:
    "idle", "closed" (the last body ended at EOF), what was left unread, or the refusal."""
    steps: list[Any] = []
    parser = ResponseParser(method)
    events: list[Event] = []

    def response() -> dict[str, Any]:
        head = events[0]
        assert isinstance(head, Head)
        body = b"".join(event.data for event in events if isinstance(event, Data))
        return {
            "status": head.status,
            "body": body.decode("latin-1"),
            "keep_alive": parser.keep_alive,
        }

    try:
        for piece in pieces:
            events += parser.feed(piece)
        while True:
            if not parser.done:
                events += parser.feed_eof()  # the body ends with the connection, or it is cut
                return [*steps, response(), "closed"]
            steps.append(response())
            if not parser.trailing:
                return [*steps, "idle"]
            if not parser.keep_alive:
                return [*steps, f"{len(parser.trailing)} bytes left unread: no reuse"]
            rest, parser = parser.trailing, ResponseParser(method)  # the next response
            events = parser.feed(rest)
    except ProtocolError as exc:
        return [*steps, f"refused: {exc}"]


def raw_bytes(escaped: str) -> bytes:
    """The bytes of a case, from llhttp's escaped text (\\r, \\n, \\t, \\xNN, \\\\, \\")."""
    return escaped.encode("latin-1").decode("unicode_escape").encode("latin-1")


def without_messages(steps: list[Any]) -> list[Any]:
    # Refused one byte at a time, a message may quote fewer bytes: the verdict must not change.
    return [step.partition(":")[0] if isinstance(step, str) else step for step in steps]


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=[case["id"] for case in FIXTURE["cases"]])
def test_llhttp_case(case: dict[str, Any]) -> None:
    raw = raw_bytes(case["raw"])
    assert read_connection([raw], case["method"]) == case["rawdock"], case["why"]
    bytewise_steps = read_connection(bytewise(raw), case["method"])
    assert without_messages(bytewise_steps) == without_messages(case["rawdock"]), case["why"]


def test_the_fixture_covers_every_strict_case_and_says_why() -> None:
    cases = FIXTURE["cases"]
    assert len(cases) == 77 and len({case["id"] for case in cases}) == 77
    assert all(case["why"] and case["llhttp"] for case in cases)
    refused = [case for case in cases if str(case["rawdock"][-1]).startswith("refused")]
    # The chunk extensions issue 12 names: all refused.
    for number in (4, 212, 248, 345):
        (case,) = [
            c for c in cases if c["id"].startswith(f"response/transfer-encoding.md:{number} ")
        ]
        assert case in refused, case["id"]
