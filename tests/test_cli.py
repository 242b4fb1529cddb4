"""The `rawdock` command line, end to end against the real engine, plus the pure parts (port
specs, references, formats, the trace state machine) without one.

Verbs run in-process through `rawdock.cli.main(argv)` with pytest's output capture; a few run as
`python -m rawdock` in a subprocess (exit statuses, Ctrl-C, another user). Every container a test
makes has a name with this run's id and the run's label, and is removed when the test ends.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support

import rawdock
from rawdock.cli import main
from rawdock.cli.options import UsageError, parse_env, parse_ports, parse_reference
from rawdock.cli.output import (
    PullProgress,
    containers_listing,
    format_ports,
    human_duration,
    human_size,
    progress_text,
    table,
)
from rawdock.cli.trace import TraceFormatter, shell_word

LABEL_ARGS = ["-l", f"{support.LABEL}={support.RUN_ID}"]
HEX12 = re.compile(r"[0-9a-f]{12}")
DOCKER = "/usr/local/bin/docker"


def columns(line: str) -> list[str]:
    """Cells of a table line: docker separates columns by at least 3 spaces."""
    return re.split(r" {3,}", line.strip())


def rows_of(text: str) -> list[dict[str, str]]:
    lines = text.strip("\n").split("\n")
    # Cut at the title positions: cells may be empty (PORTS), so splitting on spaces is not enough.
    titles = columns(lines[0])
    starts = [lines[0].index(title) for title in titles]
    ends = [*starts[1:], None]
    return [
        {
            title: line[start:end].strip()
            for title, start, end in zip(titles, starts, ends, strict=True)
        }
        for line in lines[1:]
    ]


def run_cli(
    *argv: str, env: dict[str, str] | None = None, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rawdock", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


@pytest.fixture
def name(client: rawdock.Client) -> Iterator[Callable[[str], str]]:
    """name("web") -> a container name unique to this run; each is removed after the test."""
    made: list[str] = []

    def make(suffix: str) -> str:
        made.append(f"rawdock-cli-{support.RUN_ID}-{suffix}")
        return made[-1]

    yield make
    for container in made:
        try:
            client.remove_container(container, force=True)
        except rawdock.NotFound:
            pass


# --- Pure parts: no engine ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "key", "binding"),
    [
        ("80", "80/tcp", {"HostIp": "", "HostPort": ""}),
        ("8080:80", "80/tcp", {"HostIp": "", "HostPort": "8080"}),
        ("127.0.0.1:8080:80", "80/tcp", {"HostIp": "127.0.0.1", "HostPort": "8080"}),
        ("127.0.0.1::80", "80/tcp", {"HostIp": "127.0.0.1", "HostPort": ""}),
        ("53:53/udp", "53/udp", {"HostIp": "", "HostPort": "53"}),
        ("[::1]:8080:80/sctp", "80/sctp", {"HostIp": "::1", "HostPort": "8080"}),
        ("8000-8010:80", "80/tcp", {"HostIp": "", "HostPort": "8000-8010"}),
    ],
)
def test_port_specs_become_what_docker_sends(spec: str, key: str, binding: dict[str, str]) -> None:
    ports = parse_ports([spec])
    assert ports.exposed == {key: {}}
    assert ports.bindings == {key: [binding]}


def test_port_ranges_and_repeated_ports() -> None:
    ports = parse_ports(["8000-8001:80-81", "127.0.0.1:9000:80"])
    assert ports.exposed == {"80/tcp": {}, "81/tcp": {}}
    assert ports.bindings["80/tcp"] == [
        {"HostIp": "", "HostPort": "8000"},
        {"HostIp": "127.0.0.1", "HostPort": "9000"},
    ]
    assert ports.bindings["81/tcp"] == [{"HostIp": "", "HostPort": "8001"}]


@pytest.mark.parametrize("spec", ["99999:80", "80/icmp", "a:b:c:d", "x", "8000-8002:80-81", ""])
def test_bad_port_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(ValueError):  # rawdock.config.ConfigError
        parse_ports([spec])


def test_env_takes_unset_values_from_our_environment() -> None:
    assert parse_env(["A=1", "B", "C"], {"B": "2"}) == ["A=1", "B=2"]


@pytest.mark.parametrize(
    ("text", "registry", "path", "tag", "digest"),
    [
        ("busybox", "", "busybox", "", ""),
        ("busybox:1.36", "", "busybox", "1.36", ""),
        ("127.0.0.1:5000/probe:1", "127.0.0.1:5000", "probe", "1", ""),
        ("127.0.0.1:5000/probe", "127.0.0.1:5000", "probe", "", ""),
        ("localhost/a/b", "localhost", "a/b", "", ""),
        ("library/busybox", "", "library/busybox", "", ""),
        ("reg.io/a@sha256:" + "ab" * 32, "reg.io", "a", "", "sha256:" + "ab" * 32),
    ],
)
def test_references_split_as_the_registry_sees_them(
    text: str, registry: str, path: str, tag: str, digest: str
) -> None:
    reference = parse_reference(text)
    assert (reference.registry, reference.path, reference.tag, reference.digest) == (
        registry,
        path,
        tag,
        digest,
    )
    # What pull sends: fromImage=name, tag=the tag, the digest, or "latest".
    assert reference.api_tag == (digest or tag or "latest")


@pytest.mark.parametrize("text", ["Busybox", "a:b:c", "a@sha256:xyz", "a//b", "-a", "a:"])
def test_malformed_references_are_refused(text: str) -> None:
    with pytest.raises(UsageError, match="invalid reference format"):
        parse_reference(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.5, "Less than a second"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "About a minute"),
        (150, "2 minutes"),
        (3600, "About an hour"),
        (3 * 3600, "3 hours"),
        (3 * 86400, "3 days"),
        (21 * 86400, "3 weeks"),
        (100 * 86400, "3 months"),
        (800 * 86400, "2 years"),
    ],
)
def test_human_duration_is_dockers(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (999, "999B"), (1_000, "1kB"), (4_260_000, "4.26MB"), (1_200_000_000, "1.2GB")],
)
def test_human_size_uses_decimal_units(size: int, text: str) -> None:
    assert human_size(size) == text


def test_ports_column() -> None:
    ports = [
        {"PrivatePort": 443, "Type": "tcp"},
        {"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
        {"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
    ]
    # docker's DisplayablePorts: unpublished ports first, then the published ones.
    assert format_ports(ports) == "443/tcp, 127.0.0.1:8080->80/tcp, [::]:8080->80/tcp"
    ranges = [{"PrivatePort": port, "Type": "tcp"} for port in (8001, 8000, 8002, 9000)]
    assert format_ports(ranges) == "8000-8002/tcp, 9000/tcp"
    same = [{"IP": "0.0.0.0", "PrivatePort": p, "PublicPort": p, "Type": "udp"} for p in (53, 54)]
    assert format_ports(same) == "0.0.0.0:53-54->53-54/udp"


def test_tables_align_like_dockers_tabwriter() -> None:
    text = table(["A", "LONGER TITLE", "LAST"], [["x" * 12, "y", "z"]])
    assert text.split("\n") == [
        "A              LONGER TITLE   LAST",
        "xxxxxxxxxxxx   y              z",
    ]


def test_ps_table_cells() -> None:
    container = {
        "Id": "0123456789abcdef" * 4,
        "Image": "busybox",
        "Command": "sh -c 'echo a very long command'",
        "Created": 1000,
        "Status": "Up 3 seconds",
        "Ports": [{"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
        "Names": ["/web"],
    }
    now = time.time()
    container["Created"] = int(now) - 120
    [row] = rows_of("\n".join(containers_listing([container], None, no_trunc=False)))
    assert row == {
        "CONTAINER ID": "0123456789ab",
        "IMAGE": "busybox",
        "COMMAND": '"sh -c \'echo a very …"',  # 19 characters, then the ellipsis
        "CREATED": "2 minutes ago",
        "STATUS": "Up 3 seconds",
        "PORTS": "127.0.0.1:8080->80/tcp",
        "NAMES": "web",
    }


PULL = [
    {"status": "Pulling from probe", "id": "1"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "aaa"},
    {"status": "Pulling fs layer", "progressDetail": {}, "id": "bbb"},
    {"status": "Downloading", "progressDetail": {"current": 1_200_000, "total": 4_500_000},
     "progress": "[=====>  ]  1.2MB/4.5MB", "id": "aaa"},
    {"status": "Download complete", "progressDetail": {}, "id": "aaa"},
    {"status": "Digest: sha256:00"},
]  # fmt: skip


def test_pull_progress_redraws_layer_lines_on_a_terminal() -> None:
    import io

    out = io.StringIO()
    progress = PullProgress(out, terminal=True, width=80)
    for message in PULL:
        progress.show(message)
    # docker's jsonmessage: a new layer gets a line ("\n"), every update goes up to its line,
    # erases it, writes "id: status progress" ending in "\r", and comes back down.
    assert out.getvalue() == (
        "1: Pulling from probe\n"
        "\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B"
        "\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B"
        # 80 columns: no bar, the sizes whole (docker keeps the numbers, drops the bar)
        "\x1b[2A\x1b[2K\raaa: Downloading    1.2MB/4.5MB\r\x1b[2B"
        "\x1b[2A\x1b[2K\raaa: Download complete \r\x1b[2B"
        "Digest: sha256:00\n"
    )


def test_pull_progress_bar_needs_more_than_110_columns() -> None:
    detail = {"current": 1_234_567, "total": 4_500_000, "start": 1000}
    assert progress_text(detail, width=80, now=1010) == " 1.235MB/4.5MB 26s"
    bar = "[" + "=" * 13 + ">" + " " * 37 + "] "  # 27% of 50 "="s, as docker rounds it
    assert progress_text(detail, width=111, now=1010) == bar + " 1.235MB/4.5MB 26s"
    assert progress_text({"current": 5, "total": 0}, 80) == "      5B"
    assert progress_text({}, 80) == ""


def test_pull_progress_prints_plain_lines_elsewhere() -> None:
    import io

    out = io.StringIO()
    progress = PullProgress(out, terminal=False)
    for message in PULL:
        progress.show(message)
    # Messages with byte counts are left out; every other one is a line, repeats included.
    assert out.getvalue() == (
        "1: Pulling from probe\naaa: Pulling fs layer\nbbb: Pulling fs layer\n"
        "aaa: Download complete\nDigest: sha256:00\n"
    )


CHUNKED_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nhello\r\n3;ext=1\r\n\x01\x02\n\r\n0\r\n\r\n"
    b"HTTP/1.1 204 No Content\r\n\r\n"
)


def _trace(pieces: list[bytes]) -> str:
    import io

    out = io.StringIO()
    formatter = TraceFormatter(out)
    formatter("send", b"GET /a HTTP/1.1\r\nHost: docker\r\n\r\n")
    formatter("send", b"POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
    for piece in pieces:
        formatter("recv", piece)
    return out.getvalue()


def test_trace_frames_responses_with_the_wire_parser() -> None:
    text = _trace([CHUNKED_RESPONSE])
    assert text.split("\n") == [
        "> GET /a HTTP/1.1",
        "> Host: docker",
        ">",
        "> POST /b HTTP/1.1",
        "> Content-Length: 2",
        ">",
        "> {} [2 bytes]",
        "< HTTP/1.1 200 OK",
        "< Transfer-Encoding: chunked",
        "<",
        "< hello\\x01\\x02\\n [8 bytes]",
        "< [end of body: 8 bytes, chunked]",
        "< HTTP/1.1 204 No Content",
        "<",
        "",
    ]


def test_trace_finds_the_same_frames_however_the_bytes_are_split() -> None:
    whole = _trace([CHUNKED_RESPONSE])
    bytewise = _trace([CHUNKED_RESPONSE[i : i + 1] for i in range(len(CHUNKED_RESPONSE))])

    # Body pieces come out as they arrive; the heads and the ends must be identical.
    def markers(text: str) -> list[str]:
        return [line for line in text.split("\n") if "bytes]" not in line or "end of" in line]

    assert markers(bytewise) == markers(whole)
    assert "< h [1 bytes]" in bytewise


def test_trace_shows_what_the_parser_refuses_as_raw_bytes() -> None:
    text = _trace([b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody"])
    assert "< [not HTTP rawdock can parse: " in text
    assert text.endswith("< HTTP/1.1 200 OK\\r\\nContent-Length: x\\r\\n\\r\\nbody [42 bytes]\n")


def test_shell_words_survive_a_posix_shell() -> None:
    for text in ["plain", "it's", "a b", "$HOME", '{"a":"b"}', "x&y", "'"]:
        assert shlex.split(shell_word(text)) == [text]


# --- --curl: no engine needed -------------------------------------------------------------------


def test_curl_prints_the_articles_requests(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOCKER_API_VERSION", raising=False)
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert main(["--curl", "run", "--name", "my_nginx", "-p", "80:80", "nginx"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        'curl --unix-socket /var/run/docker.sock -H "Content-Type: application/json" '
        """-d '{"Image":"nginx","ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":"""
        """{"80/tcp":[{"HostIp":"","HostPort":"80"}]}}}' """
        "-X POST http://localhost/v1.40/containers/create?name=my_nginx\n"
        "curl --unix-socket /var/run/docker.sock -X POST "
        "http://localhost/v1.40/containers/my_nginx/start\n"
    )
    assert err == ""


def test_curl_honours_the_version_the_host_and_quotes_bodies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_API_VERSION", "1.43")
    argv = ["--curl", "-H", "tcp://127.0.0.1:2375", "create", "-e", "A=it's", "busybox"]
    assert main(argv) == 0
    [line] = capsys.readouterr().out.splitlines()
    words = shlex.split(line)
    assert words[-1] == "http://127.0.0.1:2375/v1.43/containers/create"
    assert json.loads(words[words.index("-d") + 1]) == {"Image": "busybox", "Env": ["A=it's"]}
    assert main(["--curl", "--api-version", "1.41", "ps", "-a"]) == 0
    assert capsys.readouterr().out.endswith(" http://localhost/v1.41/containers/json?all=1\n")


def test_version_flag_prints_rawdocks_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"rawdock version {rawdock.__version__}\n"


def test_usage_errors_are_dockers(capsys: pytest.CaptureFixture[str]) -> None:
    # A bad flag value: 125, one line.
    assert main(["--curl", "run", "-p", "99999:80", "busybox"]) == 125
    assert (
        capsys.readouterr().err
        == "rawdock: invalid port spec '99999:80': ports go from 1 to 65535\n"
    )
    assert main(["--api-version", "latest", "ps"]) == 125
    assert "expected MAJOR.MINOR" in capsys.readouterr().err
    # A flag the verb does not have: 125, then the verb's usage (pflag's words).
    assert main(["ps", "--bogus"]) == 125
    assert capsys.readouterr().err == (
        "unknown flag: --bogus\n\nUsage:  rawdock ps [OPTIONS]\n\n"
        "Run 'rawdock ps --help' for more information\n"
    )
    assert main(["ps", "-ax"]) == 125
    assert capsys.readouterr().err.startswith("unknown shorthand flag: 'x' in -ax\n")
    assert main(["ps", "-n"]) == 125
    assert capsys.readouterr().err.startswith("flag needs an argument: 'n' in -n\n")
    assert main(["ps", "--last", "x"]) == 125
    assert capsys.readouterr().err.startswith(
        'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": '
        "invalid syntax\n"
    )
    # The wrong number of arguments: 1 (cobra's Args checks).
    for argv, rule, see in [
        (["stop"], "requires at least 1 argument", "See"),
        (["logs"], "requires 1 argument", "Run"),
        (["tag", "a"], "requires 2 arguments", "Run"),
        (["version", "x"], "accepts no arguments", "Run"),
        (["images", "a", "b"], "requires at most 1 argument", "Run"),
    ]:
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"rawdock: 'rawdock {argv[0]}' {rule}\n\nUsage:  rawdock {argv[0]} ")
        assert err.endswith(f"\n\n{see} 'rawdock {argv[0]} --help' for more information\n")
    # Unknown verbs: 1.
    assert main(["frobnicate"]) == 1
    assert capsys.readouterr().err == (
        "rawdock: unknown command: rawdock frobnicate\n\n"
        "Run 'rawdock --help' for more information\n"
    )
    assert main(["container", "frobnicate"]) == 1
    assert capsys.readouterr().err == (
        "rawdock: unknown command: rawdock container frobnicate\n\nUsage:  rawdock container\n\n"
        "Run 'rawdock container --help' for more information\n"
    )


#: What a verb may load beyond `import rawdock`: argparse and what it imports (gettext, and locale
#: for its translations; the rest depends on the Python version).
ARGPARSE_MODULES = {
    "argparse", "gettext", "locale", "_locale", "warnings",
    "importlib", "importlib._bootstrap", "importlib._bootstrap_external",
}  # fmt: skip
#: The CLI's own modules every table verb needs; rawdock.context reads the docker CLI's config.
CLI_MODULES = {
    "rawdock.cli", "rawdock.cli.context", "rawdock.cli.flags", "rawdock.cli.verbs",
    "rawdock.cli.output", "rawdock.cli.template", "rawdock.context",
}  # fmt: skip


@pytest.mark.parametrize(
    ("verb", "module"),
    [("ps", "rawdock.cli.containers"), ("images", "rawdock.cli.images"),
     ("version", "rawdock.cli.system")],
)  # fmt: skip
def test_a_verb_loads_only_what_it_uses(engine: None, verb: str, module: str) -> None:
    # The start-up budget (issue 16, docs/benchmarks.md "Command line"): no dataclasses (inspect,
    # ast, dis), shutil, platform, traceback, hashlib or typing, and no other verb's module.
    code = (
        "import sys, rawdock; before = set(sys.modules); from rawdock.cli import main; "
        f"status = main([{verb!r}]); "
        "print(status, ' '.join(sorted(set(sys.modules) - before)), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    status, *loaded = result.stderr.split()
    assert status == "0", result.stderr
    assert {m for m in loaded if m.startswith("rawdock")} == CLI_MODULES | {module}
    assert {m for m in loaded if not m.startswith("rawdock")} <= ARGPARSE_MODULES


def test_help_lists_the_verbs_without_importing_them() -> None:
    code = (
        "import sys; from rawdock.cli import main; main(['--help']); "
        "print(sorted(m for m in sys.modules if m.startswith('rawdock.cli.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "  ps          List containers\n" in result.stdout
    assert "  container   Manage containers\n" in result.stdout
    loaded = result.stdout.strip().split("\n")[-1]
    assert loaded == "['rawdock.cli.context', 'rawdock.cli.flags', 'rawdock.cli.verbs']"


def test_import_rawdock_does_not_import_the_cli() -> None:
    code = "import sys, rawdock; print('rawdock.cli' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "False\n"


# --- Against the engine -------------------------------------------------------------------------


def test_version_and_info(client: rawdock.Client, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    out = capsys.readouterr().out
    server = client.version()
    assert f"  Version:          {server['Version']}\n" in out
    assert f"API version:       {server['ApiVersion']}" in out
    assert main(["version", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ApiVersion"] == server["ApiVersion"]
    assert main(["info"]) == 0
    assert f" Server Version: {client.info()['ServerVersion']}\n" in capsys.readouterr().out


def test_images_table_quiet_and_json(
    client: rawdock.Client, busybox: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repository, tag = busybox.split(":")
    image_id = client.inspect_image(busybox)["Id"]
    assert main(["images", busybox]) == 0
    out = capsys.readouterr().out
    assert columns(out.split("\n")[0]) == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
    [row] = rows_of(out)
    assert row["REPOSITORY"] == repository and row["TAG"] == tag
    assert row["IMAGE ID"] == image_id.split(":")[1][:12]
    assert row["CREATED"].endswith(" ago")
    assert re.fullmatch(r"[0-9.]+(B|kB|MB)", row["SIZE"])
    assert main(["images", "-q", "--filter", f"reference={busybox}"]) == 0
    assert capsys.readouterr().out == image_id.split(":")[1][:12] + "\n"
    assert main(["images", "--json", busybox]) == 0
    assert [image["Id"] for image in json.loads(capsys.readouterr().out)] == [image_id]


def test_container_lifecycle(
    busybox: str, name: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    web = name("life")
    assert main(["create", "--name", web, *LABEL_ARGS, busybox, "sleep", "30"]) == 0
    container_id = capsys.readouterr().out.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", container_id)
    assert main(["start", web]) == 0
    assert capsys.readouterr().out == f"{web}\n"

    assert main(["ps", "--filter", f"name={web}"]) == 0
    out = capsys.readouterr().out
    assert columns(out.split("\n")[0]) == [
        "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"
    ]  # fmt: skip
    [row] = rows_of(out)
    assert row["CONTAINER ID"] == container_id[:12]
    assert row["IMAGE"] == busybox
    assert row["COMMAND"] == '"sleep 30"'
    assert row["STATUS"].startswith("Up ")
    assert row["NAMES"] == web

    assert main(["ps", "-q", "--filter", f"name={web}"]) == 0
    assert capsys.readouterr().out == container_id[:12] + "\n"
    assert main(["ps", "--json", "--filter", f"name={web}"]) == 0
    assert [c["Id"] for c in json.loads(capsys.readouterr().out)] == [container_id]

    assert main(["restart", "-t", "0", web]) == 0
    assert main(["kill", web]) == 0
    assert capsys.readouterr().out == f"{web}\n{web}\n"
    assert main(["wait", web]) == 0
    assert capsys.readouterr().out == "137\n"  # 128 + SIGKILL
    assert main(["ps", "-q", "--filter", f"name={web}"]) == 0
    assert capsys.readouterr().out == ""  # not running
    assert main(["ps", "-a", "--filter", f"name={web}"]) == 0
    assert rows_of(capsys.readouterr().out)[0]["STATUS"].startswith("Exited (137) ")

    assert main(["start", web]) == 0
    assert main(["stop", "-t", "1", web]) == 0
    assert main(["rm", web]) == 0
    assert capsys.readouterr().out == f"{web}\n{web}\n{web}\n"
    assert main(["rm", web]) == 1
    assert capsys.readouterr().err == f"Error response from daemon: No such container: {web}\n"


def test_run_detached_publishes_the_port(
    busybox: str, name: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    web = name("httpd")
    port = support.free_port()
    argv = ["run", "-d", "--name", web, *LABEL_ARGS, "-p", f"127.0.0.1:{port}:80", busybox]
    assert main([*argv, "httpd", "-f", "-p", "80", "-h", "/"]) == 0
    assert re.fullmatch(r"[0-9a-f]{64}\n", capsys.readouterr().out)
    deadline = time.monotonic() + 20
    answer = b""
    while time.monotonic() < deadline and not answer:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
                answer = conn.recv(100)
        except OSError:
            time.sleep(0.2)
    assert answer.startswith(b"HTTP/1."), answer  # busybox httpd answered through the port
    assert main(["ps", "--filter", f"name={web}"]) == 0
    assert rows_of(capsys.readouterr().out)[0]["PORTS"] == f"127.0.0.1:{port}->80/tcp"


def test_run_attached_prints_output_and_exits_with_the_status(
    client: rawdock.Client,
    busybox: str,
    name: Callable[[str], str],
    capfd: pytest.CaptureFixture[str],
) -> None:
    gone = name("rm")
    script = "echo out; echo err >&2; exit 3"
    assert main(["run", "--rm", "--name", gone, *LABEL_ARGS, busybox, "sh", "-c", script]) == 3
    out, err = capfd.readouterr()
    assert (out, err) == ("out\n", "err\n")
    assert client.containers(all=True, filters={"name": [gone]}) == []  # --rm removed it

    kept = name("kept")
    assert main(["run", "--name", kept, *LABEL_ARGS, busybox, "sh", "-c", "exit 0"]) == 0
    assert client.inspect_container(kept)["State"]["ExitCode"] == 0


def test_run_failures_use_dockers_statuses(
    client: rawdock.Client,
    busybox: str,
    name: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing_image = f"rawdock-cli-missing-{support.RUN_ID}"
    assert main(["run", "--pull", "never", missing_image]) == 125
    err = capsys.readouterr().err
    assert err == (
        f"rawdock: Error response from daemon: No such image: {missing_image}:latest\n\n"
        "Run 'rawdock run --help' for more information\n"
    )

    for suffix, command, status in (("127", "no-such-command", 127), ("126", "/etc", 126)):
        container = name(suffix)
        assert main(["run", "--rm", "--name", container, *LABEL_ARGS, busybox, command]) == status
        err = capsys.readouterr().err
        assert err.startswith("rawdock: Error response from daemon: ")
        assert err.endswith("\n\nRun 'rawdock run --help' for more information\n")
        assert client.containers(all=True, filters={"name": [container]}) == []

    # A 500: the host port is taken, which the daemon only finds out when it starts.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = name("busy")
        argv = ["run", "-d", "--name", busy, *LABEL_ARGS, "-p", f"127.0.0.1:{port}:80", busybox]
        assert main([*argv, "true"]) == 125
    err = capsys.readouterr().err
    assert (
        err.startswith("rawdock: Error response from daemon: ") and "address already in use" in err
    )


def test_logs_keep_stdout_and_stderr_apart_byte_for_byte(
    client: rawdock.Client,
    busybox: str,
    name: Callable[[str], str],
    capfdbinary: pytest.CaptureFixture[bytes],
) -> None:
    container = name("logs")
    # NUL and UTF-8 survive; the json-file log driver would mangle invalid UTF-8 itself.
    script = r"printf 'a\000b\n'; printf 'E1\n' >&2; printf 'c\303\251'; printf 'E2' >&2"
    assert main(["run", "-d", "--name", container, *LABEL_ARGS, busybox, "sh", "-c", script]) == 0
    assert main(["wait", container]) == 0
    capfdbinary.readouterr()
    assert main(["logs", container]) == 0
    out, err = capfdbinary.readouterr()
    assert (out, err) == ("a\x00b\ncé".encode(), b"E1\nE2")

    # The daemon reads stdout and stderr apart, so which entry it logged last is its own
    # order, not the script's: ask it, then --tail 1 must print that entry on its stream.
    last_stream, last_entry = list(client.logs(container, timestamps=True))[-1]
    assert main(["logs", "-t", "--tail", "1", container]) == 0
    out, err = capfdbinary.readouterr()
    assert {"stdout": out, "stderr": err} == {"stdout": b"", "stderr": b"", last_stream: last_entry}
    assert re.fullmatch(rb"\d{4}-\d\d-\d\dT[0-9:.]+Z (a\x00b\n|c\xc3\xa9|E1\n|E2)", last_entry)

    if not os.access(DOCKER, os.X_OK):
        pytest.skip(f"no docker CLI at {DOCKER} to cross-check against")
    docker = subprocess.run([DOCKER, "logs", container], capture_output=True, timeout=60)
    assert (docker.stdout, docker.stderr) == ("a\x00b\ncé".encode(), b"E1\nE2")


def test_ps_table_matches_the_docker_cli(
    busybox: str, name: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    if not os.access(DOCKER, os.X_OK):
        pytest.skip(f"no docker CLI at {DOCKER} to cross-check against")
    container = name("cross")
    port = support.free_port()
    argv = ["run", "-d", "--name", container, *LABEL_ARGS, "-p", f"127.0.0.1:{port}:80"]
    assert main([*argv, busybox, "sh", "-c", "exit 4"]) == 0
    assert main(["wait", container]) == 0
    capsys.readouterr()
    for _attempt in range(3):  # "N seconds ago" may tick between the two listings
        theirs = subprocess.run(
            [DOCKER, "ps", "-a", "--filter", f"name={container}"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert main(["ps", "-a", "--filter", f"name={container}"]) == 0
        ours = capsys.readouterr().out
        if ours == theirs:
            break
    assert ours == theirs


def test_inspect_falls_back_to_images(
    client: rawdock.Client,
    busybox: str,
    name: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    container = name("inspect")
    assert main(["create", "--name", container, *LABEL_ARGS, busybox, "true"]) == 0
    capsys.readouterr()
    assert main(["inspect", container, busybox]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [item["Id"] for item in found] == [
        client.inspect_container(container)["Id"],
        client.inspect_image(busybox)["Id"],
    ]
    missing = f"rawdock-cli-nothing-{support.RUN_ID}"
    assert main(["inspect", missing]) == 1
    out, err = capsys.readouterr()
    assert (json.loads(out), err) == ([], f"Error: No such object: {missing}\n")


def test_tag_and_rmi(
    client: rawdock.Client, busybox: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"rawdock-cli-tag-{support.RUN_ID}:v1"
    try:
        assert main(["tag", busybox, target]) == 0
        assert target in client.inspect_image(target)["RepoTags"]
        assert main(["rmi", target]) == 0
        assert capsys.readouterr().out == f"Untagged: {target}\n"
        with pytest.raises(rawdock.NotFound):
            client.inspect_image(target)
    finally:
        try:
            client.remove_image(target)
        except rawdock.NotFound:
            pass


def test_pull_from_the_local_registry(
    client: rawdock.Client, busybox: str, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = os.environ.get("RAWDOCK_REGISTRY", "127.0.0.1:5000")
    repository = f"{registry}/rawdock-cli-{support.RUN_ID}"
    reference = f"{repository}:1"
    try:
        client.tag_image(busybox, repository, "1")
        try:
            for _ in client.push(repository, "1"):
                pass
        except rawdock.DockerError as exc:
            pytest.skip(f"no registry at {registry}: {exc}")
        client.remove_image(reference)
        assert main(["pull", reference]) == 0
        out = capsys.readouterr().out
        # Not a terminal: plain lines, no cursor moves, then the reference pulled.
        assert "\x1b[" not in out
        assert "Status: Downloaded newer image for " + reference in out
        assert out.endswith(f"\n{reference}\n")
        assert reference in client.inspect_image(reference)["RepoTags"]
    finally:
        try:
            client.remove_image(reference)
        except rawdock.NotFound:
            pass


def test_trace_shows_requests_and_responses(
    client: rawdock.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--trace", "info"]) == 0
    out, err = capsys.readouterr()
    assert "Server Version:" in out  # the output itself is unchanged
    assert re.search(r"^> GET /v1\.\d+/info HTTP/1\.1$", err, re.M)
    assert "\n> Host: docker\n" in err
    assert "\n< HTTP/1.1 200 OK\n" in err
    assert "\n< Transfer-Encoding: chunked\n" in err  # /info is larger than Go's 2 KiB buffer
    assert re.search(r"^< \[end of body: \d+ bytes, chunked\]$", err, re.M)


# --- Errors -------------------------------------------------------------------------------------


def test_daemon_not_running(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    host = f"unix://{tmp_path}/no.sock"
    assert main(["-H", host, "ps"]) == 1
    assert capsys.readouterr().err == (
        f"Cannot connect to the Docker daemon at {host}. Is the docker daemon running?\n"
    )
    assert main(["--debug", "-H", host, "ps"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("Is the docker daemon running?\n")


def test_wrong_docker_host_scheme(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "ssh2://somewhere")
    assert main(["ps"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'ssh2'" in err and "DOCKER_HOST=ssh2://somewhere" in err


def test_api_version_out_of_range(
    client: rawdock.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = client.version()["ApiVersion"]
    assert main(["--api-version", "9.99", "ps"]) == 1
    assert capsys.readouterr().err == (
        f"Error response from daemon: client version 9.99 is too new. Maximum supported API "
        f"version is {newest} (use --api-version {newest}, or leave --api-version and "
        f"DOCKER_API_VERSION unset to negotiate)\n"
    )


def test_conflict(
    busybox: str, name: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    twice = name("twice")
    assert main(["create", "--name", twice, *LABEL_ARGS, busybox, "true"]) == 0
    assert main(["create", "--name", twice, *LABEL_ARGS, busybox, "true"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error response from daemon: Conflict.") and err.count("\n") == 1
    assert "to be able to reuse that name" in err  # the daemon's own fix


def test_subprocess_exit_statuses(busybox: str, name: Callable[[str], str]) -> None:
    container = name("sub")
    result = run_cli(
        "run", "--name", container, *LABEL_ARGS, busybox, "sh", "-c", "echo hi; exit 7"
    )
    assert (result.returncode, result.stdout, result.stderr) == (7, "hi\n", "")
    result = run_cli("rm", f"rawdock-cli-none-{support.RUN_ID}")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_permission_denied_names_the_fix(engine: None) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the CLI as a user outside the docker group")
    socket_path = os.environ.get("RAWDOCK_SOCKET", "/var/run/docker.sock")
    if os.stat(socket_path).st_mode & 0o006:
        pytest.skip(f"{socket_path} is open to every user")
    # The system's Python: the venv's may live where that user cannot read.
    python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    if python is None:
        pytest.skip("no system python3 another user can run")
    root = os.path.dirname(os.path.dirname(os.path.abspath(rawdock.__file__)))
    result = subprocess.run(
        [python, "-m", "rawdock", "-H", f"unix://{socket_path}", "ps"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
        user=65534,
        cwd="/",
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "permission denied" in result.stderr and "'docker' group" in result.stderr


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_exits_130_quietly(busybox: str, name: Callable[[str], str]) -> None:
    container = name("sigint")
    argv = [
        "run",
        "-d",
        "--name",
        container,
        *LABEL_ARGS,
        busybox,
        "sh",
        "-c",
        "echo ready; sleep 60",
    ]
    assert run_cli(*argv).returncode == 0
    with subprocess.Popen(
        [sys.executable, "-m", "rawdock", "logs", "-f", container],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # A suite started as a background job inherits SIGINT ignored, and Python keeps it
        # ignored: the child gets the default disposition, as a terminal's foreground job has.
        preexec_fn=_default_sigint,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline() == b"ready\n"  # following now
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert proc.stderr.read() == b""
