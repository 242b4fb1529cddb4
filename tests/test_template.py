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


# --- Other pure parts of the CLI's output ---------------------------------------------------


def test_tabwriter_is_gos() -> None:
    from rawdock.cli.output import tabwrite

    # Cells ending in a tab are padded, even when empty and last; the text after the last tab is
    # not. A line with fewer cells ends the column block above it.
    assert tabwrite("A\tB\tC\nxx\t\ty\nlong text only\nz\tw") == (
        "A         B         C\nxx                  y\nlong text only\nz         w"
    )
    assert tabwrite("ID\tPORTS\nabc\t", 10, 3) == "ID        PORTS\nabc       "


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42m", str(1_700_000_000 - 42 * 60)),
        ("1h30m", str(1_700_000_000 - 5400)),
        ("1.5h", str(1_700_000_000 - 5400)),
        ("300ms", "1700000000"),  # whole seconds: Go's Unix() of 1_700_000_000.4
        ("-10s", str(1_700_000_000 + 10)),
        ("2020-01-01", "1577836800.000000000"),
        ("2020-01-01T10", "1577872800.000000000"),
        ("2020-01-01T10:30", "1577874600.000000000"),
        ("2020-01-01T10:30:15Z", "1577874615.000000000"),
        ("2020-01-01T10:30:15.5+01:00", "1577871015.500000000"),
        ("1577836800", "1577836800"),
        ("1577836800.25", "1577836800.25"),
        ("0", "0"),
    ],
)
def test_since_and_until_are_converted_as_docker_does(
    value: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rawdock.cli import options

    monkeypatch.setattr(options, "time_offset", lambda now: 0)  # the local zone: UTC here
    assert options.parse_timestamp(value, 1_700_000_000.7) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nonsense", 'failed to parse value as time or duration: "nonsense"'),
        ("2021-13-01", 'parsing time "2021-13-01": month out of range'),
        ("2021-02-30", 'parsing time "2021-02-30": day out of range'),
        ("42x", 'failed to parse value as time or duration: "42x"'),
    ],
)
def test_bad_times_are_refused_in_dockers_words(value: str, message: str) -> None:
    from rawdock.cli.options import UsageError, parse_timestamp

    with pytest.raises(UsageError) as error:
        parse_timestamp(value, 1_700_000_000)
    assert str(error.value) == message


SWARM_INFO = {
    "Containers": 1, "ContainersRunning": 1, "ContainersPaused": 0, "ContainersStopped": 0,
    "Images": 2, "ServerVersion": "20.10.24", "Driver": "overlay2",
    "DriverStatus": [["Backing Filesystem", "extfs"]],
    "Plugins": {"Volume": ["local"], "Network": ["bridge"], "Authorization": None,
                "Log": ["local"]},
    "Swarm": {
        "NodeID": "n4wv", "NodeAddr": "127.0.0.1", "LocalNodeState": "active",
        "ControlAvailable": True, "Error": "", "Nodes": 1, "Managers": 1,
        "RemoteManagers": [{"NodeID": "n4wv", "Addr": "127.0.0.1:2377"}],
        "Cluster": {
            "ID": "c1", "DefaultAddrPool": ["10.0.0.0/8"], "SubnetSize": 24, "DataPathPort": 4789,
            "RootRotationInProgress": False,
            "Spec": {
                "Orchestration": {"TaskHistoryRetentionLimit": 5},
                "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0, "HeartbeatTick": 1,
                         "ElectionTick": 10},
                "Dispatcher": {"HeartbeatPeriod": 5_000_000_000},
                "CAConfig": {"NodeCertExpiry": 7_776_000_000_000_000},
                "EncryptionConfig": {"AutoLockManagers": False},
            },
        },
    },
    "Runtimes": {"runc": {}, "io.containerd.runc.v2": {}}, "DefaultRuntime": "runc",
    "OSType": "linux", "InitBinary": "docker-init",
    "ContainerdCommit": {"ID": "1.6"}, "RuncCommit": {"ID": "1.1"}, "InitCommit": {"ID": ""},
    "SecurityOptions": ["name=seccomp,profile=default", "name=cgroupns"],
    "NCPU": 2, "MemTotal": 25276518400, "Name": "vm", "ID": "YGM6", "DockerRootDir": "/d",
    "Debug": False, "ExperimentalBuild": False, "LiveRestoreEnabled": False,
    "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"], "IndexConfigs": {}},
    "MemoryLimit": True, "SwapLimit": False, "IPv4Forwarding": True,
}  # fmt: skip


def test_info_has_dockers_swarm_section_and_warnings() -> None:
    from rawdock.cli.output import info_lines, info_warnings

    lines = info_lines(SWARM_INFO)
    start = lines.index(" Swarm: active")
    assert lines[start : lines.index(" Runtimes: io.containerd.runc.v2 runc")] == [
        " Swarm: active", "  NodeID: n4wv", "  Is Manager: true", "  ClusterID: c1",
        "  Managers: 1", "  Nodes: 1", "  Default Address Pool: 10.0.0.0/8  ", "  SubnetSize: 24",
        "  Data Path Port: 4789", "  Orchestration:", "   Task History Retention Limit: 5",
        "  Raft:", "   Snapshot Interval: 10000", "   Number of Old Snapshots to Retain: 0",
        "   Heartbeat Tick: 1", "   Election Tick: 10", "  Dispatcher:",
        "   Heartbeat Period: 5 seconds", "  CA Configuration:",
        "   Expiry Duration: 3 months", "   Force Rotate: 0", "  Autolock Managers: false",
        "  Root Rotation In Progress: false", "  Node Address: 127.0.0.1",
        "  Manager Addresses:", "   127.0.0.1:2377",
    ]  # fmt: skip
    assert " init version: " in lines
    assert lines[lines.index(" Security Options:") + 1 :][:3] == [
        "  seccomp", "   Profile: default", "  cgroupns"
    ]  # fmt: skip
    assert " Total Memory: 23.54GiB" in lines
    assert lines[-1] == ""
    assert info_warnings(SWARM_INFO) == ["WARNING: No swap limit support"]
    assert info_warnings({**SWARM_INFO, "Warnings": ["WARNING: x"]}) == ["WARNING: x"]
