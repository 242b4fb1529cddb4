"""No caller-supplied value can change the shape of what goes on the wire.

Whatever a caller passes (a container or image name, a filter, a label, an env entry, a query
value, a header in `request(headers=...)`, a path), the bytes sent are exactly one request:
one request line with the expected method and path, only the header fields rawdock means to
send, and a body whose length the head states. A value that could end a line (CR, LF), end a
C string (NUL), add a field, start a second request, or climb to another endpoint through "/",
".." or "?" is either percent-encoded (and decodes back to itself) or refused with ValueError.

The bytes are captured where the client hands them to the transport, so each property runs the
real method, endpoint definition and request builder, without a daemon;
`test_captured_bytes_are_what_goes_on_the_socket` checks that is what a socket sees.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote_to_bytes

import pytest
from fake_daemon import FakeDaemon, answer
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rawdock

VERSION = "1.41"
#: The header fields rawdock itself may send; a caller's own are added to this per test.
OWN_FIELDS = {"host", "user-agent", "content-type", "content-length", "x-registry-auth"}

# Text biased toward what breaks HTTP and paths, mixed with any other character.
DANGEROUS = "\r\n\x00 \t/?#&=%+.;:@,\\\"'\x7f\x85\u2028"
text = st.text(alphabet=st.one_of(st.sampled_from(DANGEROUS), st.characters()), max_size=30)
nonempty = text.filter(bool)

injection = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Captured(Exception):
    """Raised by the capturing transport instead of sending anything."""


class CapturingTransport:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def open(self, request: bytes, method: str, *bounds: object) -> None:
        self.sent.append(request)
        raise Captured

    def close(self) -> None:
        pass


def capturing_client() -> tuple[rawdock.Client, CapturingTransport]:
    client = rawdock.Client(host="unix:///nonexistent/docker.sock", version=VERSION)
    capture = CapturingTransport()
    client.transport = capture  # type: ignore[assignment]
    return client, capture


def sent_by(run: Callable[[rawdock.Client], object]) -> bytes | None:
    """The bytes `run(client)` would send, or None if the client refused with ValueError."""
    client, capture = capturing_client()
    try:
        run(client)
    except Captured:
        (request,) = capture.sent
        return request
    except ValueError:
        assert not capture.sent
        return None
    raise AssertionError("the call returned without sending")


class Request:
    """One request parsed back from bytes, checking it is exactly one well-formed request."""

    def __init__(self, raw: bytes) -> None:
        head, sep, body = raw.partition(b"\r\n\r\n")
        assert sep, "no end of head"
        assert b"\x00" not in head
        lines = head.split(b"\r\n")
        for line in lines:  # no bare CR or LF: every line break is the CRLF we split on
            assert b"\r" not in line and b"\n" not in line, line
        match = re.fullmatch(rb"([-!#$%&'*+.^_`|~0-9A-Za-z]+) (/[\x21-\x7e]*) HTTP/1\.1", lines[0])
        assert match, lines[0]
        self.method = match.group(1).decode()
        self.target = match.group(2).decode("ascii")
        self.path, _, self.query = self.target.partition("?")
        self.fields: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, colon, value = line.partition(b": ")
            assert colon and re.fullmatch(rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+", name), line
            self.fields.append((name.decode().lower(), value.decode("latin-1")))
        names = [name for name, _ in self.fields]
        assert len(names) == len(set(names)), f"repeated field in {names}"
        assert dict(self.fields)["host"] == "docker"
        length = int(dict(self.fields).get("content-length", "0"))
        # The body is exactly what the head announced: nothing left over to be read as a
        # second request.
        assert len(body) == length, (len(body), length)
        self.body = body

    def params(self) -> dict[str, str]:
        pairs = parse_qsl(self.query, keep_blank_values=True, strict_parsing=bool(self.query))
        assert len(pairs) == len({key for key, _ in pairs}), pairs
        return dict(pairs)

    def assert_own_fields_only(self) -> None:
        assert {name for name, _ in self.fields} <= OWN_FIELDS, self.fields


def decoded_segment(path: str, prefix: str, suffix: str) -> str:
    """The one segment between `prefix` and `suffix`, percent-decoded, checking it cannot be
    read as more than one segment."""
    assert path.startswith(prefix) and path.endswith(suffix), path
    segment = path[len(prefix) : len(path) - len(suffix)]
    assert segment and not set(segment) & set("/?#"), segment
    return unquote_to_bytes(segment).decode("utf-8")


def refusable(name: str) -> bool:
    """Segments target() refuses: empty, or with a '.' or '..' part (the daemon's router would
    decode %2F and resolve them), and text that is not Unicode (a lone surrogate)."""
    return not name or any(part in (".", "..") for part in name.split("/")) or not _encodable(name)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- Path segments ------------------------------------------------------------------------------

# (method call, HTTP method, path before the segment, path after it)
SEGMENT_ENDPOINTS: list[tuple[str, Callable[[rawdock.Client, str], object], str, str, str]] = [
    ("inspect_container", lambda c, n: c.inspect_container(n), "GET", "/containers/", "/json"),
    ("start_container", lambda c, n: c.start_container(n), "POST", "/containers/", "/start"),
    ("stop_container", lambda c, n: c.stop_container(n), "POST", "/containers/", "/stop"),
    ("restart_container", lambda c, n: c.restart_container(n), "POST", "/containers/", "/restart"),
    ("kill_container", lambda c, n: c.kill_container(n), "POST", "/containers/", "/kill"),
    ("remove_container", lambda c, n: c.remove_container(n), "DELETE", "/containers/", ""),
    ("wait_container", lambda c, n: c.wait_container(n), "POST", "/containers/", "/wait"),
    ("logs", lambda c, n: c.logs(n), "GET", "/containers/", "/logs"),
    ("export_container", lambda c, n: c.export_container(n), "GET", "/containers/", "/export"),
    ("inspect_image", lambda c, n: c.inspect_image(n), "GET", "/images/", "/json"),
    ("remove_image", lambda c, n: c.remove_image(n), "DELETE", "/images/", ""),
    ("tag_image", lambda c, n: c.tag_image(n, "repo"), "POST", "/images/", "/tag"),
    ("get_image", lambda c, n: c.get_image(n), "GET", "/images/", "/get"),
    ("push", lambda c, n: c.push(n), "POST", "/images/", "/push"),
]


@pytest.mark.parametrize(
    ("call", "method", "prefix", "suffix"),
    [e[1:] for e in SEGMENT_ENDPOINTS],
    ids=[e[0] for e in SEGMENT_ENDPOINTS],
)
@injection
@given(name=text)
@example(name="../../images/json")
@example(name="web/../../../_ping")
@example(name="web?force=1")
@example(name="web HTTP/1.1\r\nX-Evil: 1\r\n\r\nGET /_ping")
@example(name="web\x00")
@example(name="%2e%2e")
def test_a_name_stays_one_path_segment(
    call: Callable[[rawdock.Client, str], object], method: str, prefix: str, suffix: str, name: str
) -> None:
    raw = sent_by(lambda client: call(client, name))
    if raw is None:
        assert refusable(name), f"{name!r} was refused but is a harmless name"
        return
    assert not refusable(name)
    request = Request(raw)
    assert request.method == method
    assert decoded_segment(request.path, f"/v{VERSION}{prefix}", suffix) == name
    request.assert_own_fields_only()


# --- Query values -------------------------------------------------------------------------------


def _query_cases() -> list[tuple[str, Callable[[rawdock.Client, str], object], str, str]]:
    # (id, call with the value, path, the query key the value must land in, alone)
    return [
        ("create-name", lambda c, v: c.create_container({}, name=v), "/containers/create", "name"),
        (
            "create-platform",
            lambda c, v: c.create_container({}, platform=v),
            "/containers/create",
            "platform",
        ),
        ("tag-repo", lambda c, v: c.tag_image("img", v), "/images/img/tag", "repo"),
        ("tag-tag", lambda c, v: c.tag_image("img", "repo", tag=v), "/images/img/tag", "tag"),
        (
            "kill-signal",
            lambda c, v: c.kill_container("web", signal=v),
            "/containers/web/kill",
            "signal",
        ),
        # stop's signal needs API 1.42: on this client's 1.41 it is refused before anything is
        # sent (tests/test_api_containers.py).
        ("events-since", lambda c, v: c.events(since=v), "/events", "since"),
        ("events-until", lambda c, v: c.events(until=v), "/events", "until"),
        ("logs-tail", lambda c, v: c.logs("web", tail=v), "/containers/web/logs", "tail"),
        ("logs-since", lambda c, v: c.logs("web", since=v), "/containers/web/logs", "since"),
        ("pull-image", lambda c, v: c.pull(v), "/images/create", "fromImage"),
        ("pull-tag", lambda c, v: c.pull("img", tag=v), "/images/create", "tag"),
        ("pull-platform", lambda c, v: c.pull("img", platform=v), "/images/create", "platform"),
        ("push-tag", lambda c, v: c.push("img", tag=v), "/images/img/push", "tag"),
        ("build-tag", lambda c, v: c.build(b"", tag=v), "/build", "t"),
        (
            "wait-condition",
            lambda c, v: c.wait_container("web", condition=v),
            "/containers/web/wait",
            "condition",
        ),
    ]


QUERY_CASES = _query_cases()


@pytest.mark.parametrize(
    ("call", "path", "key"), [q[1:] for q in QUERY_CASES], ids=[q[0] for q in QUERY_CASES]
)
@injection
@given(value=nonempty)
@example(value="x&force=1")
@example(value="x#frag")
@example(value="x HTTP/1.1\r\nHost: evil\r\n\r\n")
@example(value="a+b=c%26")
def test_a_query_value_stays_one_value(
    call: Callable[[rawdock.Client, str], object], path: str, key: str, value: str
) -> None:
    raw = sent_by(lambda client: call(client, value))
    if raw is None:  # query values are encoded, never refused, unless they are not Unicode
        assert not _encodable(value)
        return
    request = Request(raw)
    assert request.path == f"/v{VERSION}{path}"
    params = request.params()
    # Decodes back to exactly what was given (pull splits a tag off the reference, as docker
    # pull does: then the two parts make the value again)...
    assert params[key] == value or (key == "fromImage" and f"{value}:{params['tag']}" != value
                                    and f"{params[key]}:{params['tag']}" == value)  # fmt: skip
    # ...and added no parameter of its own.
    assert set(params) <= {
        key,
        "fromImage",
        "tag",
        "follow",
        "stdout",
        "stderr",
        "repo",
        "rm",
        "forcerm",
    }
    request.assert_own_fields_only()


filters = st.dictionaries(nonempty, st.lists(text, max_size=3), max_size=3)


@injection
@given(container_filters=filters, image_filters=filters)
def test_filters_travel_as_one_json_value(
    container_filters: dict[str, list[str]], image_filters: dict[str, list[str]]
) -> None:
    for call, given_filters in (
        (lambda c: c.containers(all=True, filters=container_filters), container_filters),
        (lambda c: c.images(filters=image_filters), image_filters),
        (lambda c: c.events(filters=container_filters), container_filters),
    ):
        raw = sent_by(call)
        assert raw is not None
        request = Request(raw)
        params = request.params()
        if given_filters:
            assert json.loads(params.pop("filters")) == given_filters
        assert set(params) <= {"all"}
        request.assert_own_fields_only()


@injection
@given(labels=st.dictionaries(text, text, max_size=4))
def test_build_labels_travel_as_one_json_value(labels: dict[str, str]) -> None:
    raw = sent_by(lambda c: c.build(b"tar", tag="t", labels=labels))
    assert raw is not None
    request = Request(raw)
    assert request.method == "POST" and request.path == f"/v{VERSION}/build"
    params = request.params()
    if labels:
        assert json.loads(params.pop("labels")) == labels
    assert set(params) == {"t", "rm", "forcerm"}
    assert request.body == b"tar"


# --- Bodies -------------------------------------------------------------------------------------


@injection
@given(
    env=st.lists(text, max_size=4),
    labels=st.dictionaries(text, text, max_size=4),
    cmd=st.lists(text, max_size=4),
    name=st.none() | nonempty,
)
def test_config_values_stay_inside_the_json_body(
    env: list[str], labels: dict[str, str], cmd: list[str], name: str | None
) -> None:
    config = {"Image": "busybox", "Env": env, "Labels": labels, "Cmd": cmd}
    raw = sent_by(lambda c: c.create_container(config, name=name))
    if raw is None:  # refused: only a name that is not Unicode (a lone surrogate) may be
        assert name is not None and not _encodable(name)
        return
    request = Request(raw)
    assert request.method == "POST"
    assert request.path == f"/v{VERSION}/containers/create"
    assert json.loads(request.body) == config
    assert request.params() == ({} if name is None else {"name": name})
    assert dict(request.fields)["content-type"] == "application/json"
    request.assert_own_fields_only()


# --- request(): the caller's own endpoint, method, params and headers --------------------------

# Names other than the fields rawdock sends itself (those have tests of their own), and no two
# differing only in case (that would be one field given twice).
header_names = st.text(
    alphabet=st.one_of(st.sampled_from(DANGEROUS + ":"), st.characters()), max_size=12
).filter(lambda name: name.lower() not in OWN_FIELDS)
caller_headers = st.dictionaries(header_names, text, max_size=3).filter(
    lambda headers: len({name.lower() for name in headers}) == len(headers)
)


@injection
@given(headers=caller_headers)
@example(headers={"X-A": "1\r\nX-Injected: 2"})
@example(headers={"X-A": "1\nX-Injected: 2"})
@example(headers={"X-A\r\nX-Injected": "2"})
@example(headers={"X-A": "1\r\n\r\nGET /_ping HTTP/1.1"})
@example(headers={"X-A": "\x00"})
@example(headers={"X-Registry-Auth": "e30="})
def test_request_headers_add_exactly_the_fields_given(headers: dict[str, str]) -> None:
    raw = sent_by(lambda c: c.request("POST", "/containers/prune", body=b"{}", headers=headers))
    if raw is None:
        return  # refused: a name that is not a token, or a value with CR, LF, NUL or non-latin-1
    request = Request(raw)
    assert request.method == "POST" and request.path == f"/v{VERSION}/containers/prune"
    given_fields = {name.lower(): value for name, value in headers.items()}
    own = {name: value for name, value in request.fields if name not in given_fields}
    assert own == {"host": "docker", "user-agent": "rawdock", "content-length": "2"}
    assert {name: value for name, value in request.fields if name in given_fields} == given_fields
    assert request.body == b"{}"


def test_callers_user_agent_and_content_type_replace_rawdocks() -> None:
    headers = {"User-Agent": "my-tool/1.0", "Content-Type": "application/x-tar"}
    raw = sent_by(lambda c: c.request("POST", "/build", json={}, headers=headers))
    assert raw is not None
    fields = Request(raw).fields
    assert [value for name, value in fields if name == "user-agent"] == ["my-tool/1.0"]
    assert [value for name, value in fields if name == "content-type"] == ["application/x-tar"]


SMUGGLED = b"GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Content-Length", "0"),
        ("content-length", "5"),
        ("Transfer-Encoding", "chunked"),
        ("Host", "evil"),
    ],
)
def test_request_refuses_the_fields_that_frame_or_route_the_request(name: str, value: str) -> None:
    """A caller's Content-Length shorter than the body leaves the rest of the body to be read as
    a second request; Transfer-Encoding: chunked with a body ending "0\\r\\n\\r\\n" likewise;
    a second Host makes the request invalid (RFC 9112 §3.2). rawdock writes these itself."""
    client, capture = capturing_client()
    with pytest.raises(ValueError, match="rawdock sets"):
        client.request("POST", "/x", body=b"0\r\n\r\n" + SMUGGLED, headers={name: value})
    assert not capture.sent


@injection
@given(path=text)
@example(path="/containers/json HTTP/1.1\r\nX-Evil: 1")
@example(path="/_ping\x00")
@example(path="/containers/json?all=1")
@example(path="/../_ping")
@example(path="/x\tHTTP/1.0")
@example(path="containers/json")
@example(path="/caf\u00e9")
def test_request_path_is_the_callers_but_one_line(path: str) -> None:
    """Slashes, dots and a query are the caller's own business in request(); the path must
    start with "/" (it follows "/v1.41") and be visible ASCII: no CR, LF, NUL, space or other
    whitespace (lenient parsers split a request line on tabs too, RFC 9112 §3)."""
    raw = sent_by(lambda c: c.request("GET", path))
    if raw is None:
        assert not re.fullmatch(r"/[\x21-\x7e]*", path)
        return
    request = Request(raw)
    assert request.method == "GET"
    assert request.target == f"/v{VERSION}{path}"
    request.assert_own_fields_only()


@injection
@given(params=st.dictionaries(text, text, max_size=4))
def test_request_params_round_trip(params: dict[str, str]) -> None:
    raw = sent_by(lambda c: c.request("GET", "/containers/json", params=params))
    if raw is None:
        assert not all(_encodable(key + value) for key, value in params.items())
        return
    request = Request(raw)
    assert request.path == f"/v{VERSION}/containers/json"
    assert request.params() == params
    request.assert_own_fields_only()


@injection
@given(method=text)
@example(method="GET /_ping HTTP/1.1\r\n\r\nGET")
@example(method="GET ")
def test_request_method_is_one_token(method: str) -> None:
    raw = sent_by(lambda c: c.request(method, "/_ping"))
    if raw is None:
        return
    request = Request(raw)
    assert request.method == method


# --- What is captured is what a socket sees -----------------------------------------------------


def test_captured_bytes_are_what_goes_on_the_socket(fake: FakeDaemon) -> None:
    name = "we b/x?y&z\u00e9"
    expected = sent_by(lambda c: c.inspect_container(name))
    fake.script(answer(200, {"Id": "x"}))
    seen: list[bytes] = []
    with fake.client(
        trace=lambda direction, data: seen.append(data) if direction == "send" else None
    ) as client:
        client.inspect_container(name)
    assert seen == [expected] == fake.requests
    assert Request(fake.requests[0]).path == "/v1.41/containers/we%20b%2Fx%3Fy%26z%C3%A9/json"
