"""`--format` templates (rawdock.cli.template): docker's documented examples, evaluated without an
engine, and a clear refusal for what rawdock does not evaluate. The same templates are run through
the docker CLI on the same objects in tests/test_parity.py."""

from __future__ import annotations

from typing import Any

import pytest

from rawdock.cli.output import ContainerRow, ImageRow, containers_listing, images_listing
from rawdock.cli.template import TemplateError, parse, render

# What `docker inspect` gives for a container, cut to what the examples read.
CONTAINER: dict[str, Any] = {
    "Id": "4f1c2a9b8e7d" + "0" * 52,
    "Name": "/Web_App",
    "Args": ["-c", "echo hi"],
    "Image": "sha256:" + "ab" * 32,
    "Config": {
        "Image": "busybox",
        "Cmd": ["sh", "-c", "echo hi"],
        "Labels": {"com.example.team": "a", "version": "1"},
    },
    "State": {"Status": "running", "Running": True, "Pid": 4242, "ExitCode": 0},
    "NetworkSettings": {
        "Networks": {"bridge": {"IPAddress": "172.17.0.2"}, "other": {"IPAddress": "10.0.0.2"}},
        "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}], "443/tcp": None},
    },
    "Mounts": [],
}


def fmt(source: str, value: Any = CONTAINER) -> str:
    return render(parse(source), value)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # docs.docker.com "Format command and log output", one example per function.
        ("{{join .Args \" , \"}}", "-c , echo hi"),
        ("{{json .Config.Cmd}}", '["sh","-c","echo hi"]'),
        ("{{lower .Name}}", "/web_app"),
        ('{{split .Image ":"}}', "[sha256 " + "ab" * 32 + "]"),
        ("{{title .Name}}", "/Web_App"),
        ("{{upper .Name}}", "/WEB_APP"),
        ("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "172.17.0.2 10.0.0.2 "),
        ("{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}",
         "172.17.0.2\n10.0.0.2\n"),
        ("{{pad .State.Status 2 1}}|", "  running |"),
        ("{{truncate .State.Status 3}}", "run"),
        # docker inspect's own examples
        ("{{.Config.Image}}", "busybox"),
        ("{{index .Config.Labels \"com.example.team\"}}", "a"),
        ("{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{if $conf}}"
         "{{(index $conf 0).HostPort}}{{else}}none{{end}}; {{end}}",
         "443/tcp -> none; 80/tcp -> 8080; "),
        ("{{.State.Pid}} {{.State.Running}} {{.Config.Cmd}}", "4242 true [sh -c echo hi]"),
        ('{{if eq .State.Status "running"}}up{{else if .State.ExitCode}}failed{{else}}done{{end}}',
         "up"),
        ("{{with .Config}}{{.Image}}{{end}}{{with .Mounts}}x{{else}}-{{end}}", "busybox-"),
        ('{{len .Args}} {{.Args | len}} {{printf "%s=%d" .Name .State.Pid}}', "2 2 /Web_App=4242"),
        ("{{$.Config.Image}} {{ .Name -}}   !", "busybox /Web_App!"),
        ("{{/* a comment */}}{{.Config.Image}}", "busybox"),
    ],
)  # fmt: skip
def test_documented_examples(source: str, expected: str) -> None:
    assert fmt(source) == expected


def test_json_of_the_whole_object_keeps_the_daemons_order() -> None:
    assert fmt("{{json .State}}") == ('{"Status":"running","Running":true,"Pid":4242,"ExitCode":0}')


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{foo .Name}}", 'function "foo" not defined'),
        ("{{.Nope}}", 'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"'),
        ('{{template "x"}}', 'rawdock does not support "{{template}}"'),
        ('{{define "x"}}{{end}}', 'rawdock does not support "{{define}}"'),
        ("{{slice .Args 1}}", 'rawdock does not support the function "slice"'),
        ('{{printf "%5.2f" .State.Pid}}', 'rawdock does not support the printf verb "%5.2f"'),
        ("{{.State}}", "use {{json ...}} for it"),
        ("{{.Name", "unclosed action"),
        ("{{if .Name}}x", "unexpected EOF"),
        ("{{end}}", "unexpected {{end}}"),
        ("{{.Args.X}}", "can't evaluate field X"),
    ],
)
def test_what_rawdock_does_not_evaluate_is_refused_by_name(source: str, message: str) -> None:
    with pytest.raises(TemplateError) as error:
        fmt(source)
    assert message in str(error.value)


PS_CONTAINER = {
    "Id": "0123456789abcdef" * 4,
    "Names": ["/web"],
    "Image": "busybox:1.36",
    "ImageID": "sha256:" + "cd" * 32,
    "Command": "sh -c 'echo a very long command'",
    "Created": 1_700_000_000,
    "Ports": [{"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
    "Labels": {"com.example.my-label": "x", "b": "2"},
    "State": "running",
    "Status": "Up 3 seconds",
    "Mounts": [{"Name": "a-very-long-volume-name", "Driver": "local"}],
    "NetworkSettings": {"Networks": {"bridge": {}}},
}


def test_ps_fields_are_dockers() -> None:
    row = ContainerRow(PS_CONTAINER, trunc=True, now=1_700_000_120)
    template = parse(
        "{{.ID}}|{{.Image}}|{{.Command}}|{{.RunningFor}}|{{.Ports}}|{{.State}}|{{.Status}}|"
        '{{.Names}}|{{.Labels}}|{{.Label "b"}}|{{.Mounts}}|{{.LocalVolumes}}|{{.Networks}}'
    )
    assert render(template, row).split("|") == [
        "0123456789ab", "busybox:1.36", '"sh -c \'echo a very …"', "2 minutes ago",
        "127.0.0.1:8080->80/tcp", "running", "Up 3 seconds", "web", "b=2,com.example.my-label=x",
        "2", "a-very-long-vo…", "1", "bridge",
    ]  # fmt: skip


def test_table_titles_come_from_the_fields() -> None:
    lines = containers_listing([PS_CONTAINER], 'table {{.ID}}\\t{{.Label "com.example.my-label"}}',
                               no_trunc=False)  # fmt: skip
    assert lines == ["CONTAINER ID   my label", "0123456789ab   x"]
    assert containers_listing([], "table {{.Names}}\\t{{.State}}", no_trunc=False) == [
        "NAMES     STATE"
    ]
    assert containers_listing([PS_CONTAINER], "{{.Names}}\\t{{.State}}", no_trunc=False) == [
        "web\trunning"
    ]


def test_images_rows_and_json() -> None:
    image = {
        "Id": "sha256:" + "ef" * 32,
        "RepoTags": ["busybox:1.36", "busybox:latest"],
        "RepoDigests": ["busybox@sha256:" + "12" * 32],
        "Created": 1_700_000_000,
        "Size": 4_260_000,
        "Containers": -1,
        "SharedSize": -1,
    }
    assert images_listing([image], "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.Digest}}",
                          no_trunc=False) == [
        f"busybox:1.36 {'ef' * 6} 4.26MB <none>", f"busybox:latest {'ef' * 6} 4.26MB <none>",
    ]  # fmt: skip
    [first, _] = images_listing([image], "json", no_trunc=False, digests=True)
    assert first.startswith('{"Containers":"N/A","CreatedAt":')
    assert f'"Digest":"sha256:{"12" * 32}"' in first
    dangling = {**image, "RepoTags": [], "RepoDigests": []}
    assert images_listing([dangling], "{{.Repository}} {{.Digest}}", no_trunc=False) == [
        "<none> <none>"
    ]
    assert ImageRow(dangling, "<none>", "<none>", "<none>").Containers() == "N/A"
