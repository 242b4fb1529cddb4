"""`rawdock exec`, `attach`, `run -i/-t` and `start -a`, as a user runs them: `python -m rawdock`
in a subprocess, its stdin a pipe or a pseudo-terminal (pty, from the standard library), against
the real engine. Every container is named with this run's id and labelled; the session fixture
checks that none is left, killed sessions included."""

from __future__ import annotations

import hashlib
import os
import select
import signal
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import support

import rawdock
from rawdock.cli import main

LABEL_ARGS = ["-l", f"{support.LABEL}={support.RUN_ID}"]
RAWDOCK = [sys.executable, "-m", "rawdock"]
#: Seconds a session under test may take: a pipe of a few MB, a shell typed into.
SESSION_TIMEOUT = 120


@pytest.fixture
def name(session_client: rawdock.Client) -> Iterator[Callable[[str], str]]:
    """name("x") -> a container name unique to this run; each is removed after the test."""
    made: list[str] = []

    def make(base: str) -> str:
        made.append(f"rawdock-hijack-{base}-{support.RUN_ID}")
        return made[-1]

    yield make
    for container in made:
        try:
            session_client.remove_container(container, force=True)
        except rawdock.NotFound:
            pass


@pytest.fixture
def sleeper(busybox: str, name: Callable[[str], str]) -> str:
    """A running container to exec into."""
    container = name("sleeper")
    assert main(["run", "-d", "--name", container, *LABEL_ARGS, busybox, "sleep", "600"]) == 0
    return container


def rawdock_cli(*argv: str, input: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*RAWDOCK, *argv], input=input, capture_output=True, timeout=SESSION_TIMEOUT
    )


def exists(client: rawdock.Client, container: str) -> bool:
    try:
        client.inspect_container(container)
    except rawdock.NotFound:
        return False
    return True


# --- Pipes ------------------------------------------------------------------------------------


def test_run_i_pipe_is_byte_exact_and_ends_by_itself(busybox: str, tmp_path: Any) -> None:
    """`head -c N /dev/urandom | rawdock run -i --rm IMG cat | sha256sum`, as the issue asks."""
    data = os.urandom(20_000_000)
    source = tmp_path / "big"
    source.write_bytes(data)
    command = f"{' '.join(RAWDOCK)} run -i --rm {' '.join(LABEL_ARGS)} {busybox} cat"
    pipeline = f"{command} < {source} | sha256sum; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", pipeline], capture_output=True, timeout=SESSION_TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()


def test_exec_i_writes_a_file_byte_exact(sleeper: str) -> None:
    """`rawdock exec -i C sh -c 'cat > /f' < big`, then the file read back."""
    data = os.urandom(10_000_000)
    written = rawdock_cli("exec", "-i", sleeper, "sh", "-c", "cat > /f; exit 3", input=data)
    assert (written.returncode, written.stdout, written.stderr) == (3, b"", b"")
    read = rawdock_cli("exec", sleeper, "cat", "/f")
    assert read.returncode == 0 and read.stdout == data


def test_exec_status_streams_and_options(sleeper: str) -> None:
    done = rawdock_cli("exec", "-e", "A=1", "-w", "/bin", "-u", "7", sleeper,
                       "sh", "-c", "echo $A $(pwd) $(id -u); echo oops >&2; exit 9")  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (9, b"1 /bin 7\n", b"oops\n")
    assert rawdock_cli("exec", "-d", sleeper, "sh", "-c", "echo hi > /d").returncode == 0
    for _ in range(100):
        if rawdock_cli("exec", sleeper, "cat", "/d").stdout == b"hi\n":
            break
        time.sleep(0.05)
    else:
        pytest.fail("exec -d did not run its command")


def test_exec_errors_are_one_line(busybox: str, name: Callable[[str], str]) -> None:
    stopped = name("stopped")
    assert main(["create", "--name", stopped, *LABEL_ARGS, busybox, "true"]) == 0
    done = rawdock_cli("exec", stopped, "true")
    assert done.returncode == 1
    assert done.stderr.decode().endswith("is not running\n")
    assert done.stderr.count(b"\n") == 1
    missing = rawdock_cli("exec", "rawdock-no-such-container", "true")
    assert missing.returncode == 1
    assert b"No such container: rawdock-no-such-container" in missing.stderr


def test_start_a_i_and_attach(busybox: str, name: Callable[[str], str]) -> None:
    container = name("start-a")
    created = rawdock_cli("create", "-i", "--name", container, *LABEL_ARGS, busybox,
                          "sh", "-c", "read line; echo got $line; exit 2")  # fmt: skip
    assert created.returncode == 0, created.stderr
    done = rawdock_cli("start", "-a", "-i", container, input=b"one\n")
    assert (done.returncode, done.stdout) == (2, b"got one\n")
    # attach: to a running container whose stdin is open
    assert main(["start", container]) == 0
    attached = rawdock_cli("attach", container, input=b"two\n")
    assert (attached.returncode, attached.stdout) == (2, b"got two\n")
    refused = rawdock_cli("attach", container)
    assert refused.returncode == 1 and b"cannot attach to a stopped container" in refused.stderr


def test_sigterm_without_tty_is_forwarded_and_rm_removes(
    busybox: str, name: Callable[[str], str], session_client: rawdock.Client
) -> None:
    """docker's --sig-proxy: the container gets the SIGTERM, ends, and --rm removes it."""
    container = name("sigproxy")
    script = 'trap "echo bye; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
    process = subprocess.Popen(
        [*RAWDOCK, "run", "-i", "--rm", "--name", container, *LABEL_ARGS, busybox,
         "sh", "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=SESSION_TIMEOUT)
    assert (process.returncode, out) == (3, b"bye\n"), err
    assert not exists(session_client, container)


def test_trace_summarizes_the_stream(sleeper: str) -> None:
    data = os.urandom(2_000_000)
    done = rawdock_cli("--trace", "exec", "-i", sleeper, "cat", input=data)
    assert done.returncode == 0 and done.stdout == data
    trace = done.stderr.decode("utf-8", "replace")
    assert "> Connection: Upgrade\n> Upgrade: tcp\n" in trace
    assert "< HTTP/1.1 101 UPGRADED\n" in trace
    assert "> [stdin closed: shutdown(SHUT_WR), the output goes on]" in trace
    assert "< [stdout frame:" in trace
    assert len(trace) < 200_000  # a line per frame or write, not the data


def test_curl_says_what_curl_cannot_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--curl", "run", "-it", "--rm", "busybox", "sh"]) == 0
    shown = capsys.readouterr().out.splitlines()
    assert [line.split(" -X ")[-1].split("?")[0].rsplit("/", 1)[-1] for line in shown
            if line.startswith("curl")] == ["create", "attach", "wait", "start"]  # fmt: skip
    assert any("cannot send stdin" in line for line in shown)


# --- A terminal -------------------------------------------------------------------------------


class Pty:
    """`rawdock ARGS` on a pseudo-terminal of its own: type into it, read what it shows."""

    def __init__(self, *argv: str) -> None:
        self.master, self.slave = os.openpty()
        self.attributes = termios.tcgetattr(self.slave)
        self.process = subprocess.Popen(
            [*RAWDOCK, *argv],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            start_new_session=True,
        )
        self.shown = b""

    def read_until(self, wanted: bytes, timeout: float = 60) -> bytes:
        deadline = time.monotonic() + timeout
        while wanted not in self.shown:
            left = deadline - time.monotonic()
            assert left > 0, f"{wanted!r} never shown; shown: {self.shown!r}"
            readable, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if readable:
                try:
                    self.shown += os.read(self.master, 65536)
                except OSError:  # EIO: every writer of the terminal has closed it
                    break
        return self.shown

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait(self) -> int:
        return self.process.wait(SESSION_TIMEOUT)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_session() -> Iterator[Callable[..., Pty]]:
    opened: list[Pty] = []

    def open_pty(*argv: str) -> Pty:
        opened.append(Pty(*argv))
        return opened[-1]

    yield open_pty
    for terminal in opened:
        terminal.close()


def test_run_it_shell_on_a_terminal(
    busybox: str, name: Callable[[str], str], pty_session: Callable[..., Pty],
    session_client: rawdock.Client,
) -> None:  # fmt: skip
    """The issue's own test: type `echo $((6*7)); exit 5`, see 42, exit 5, terminal as it was."""
    container = name("shell")
    term = pty_session("run", "-it", "--rm", "--name", container, *LABEL_ARGS, busybox, "sh")
    term.read_until(b"# ")
    term.type(b"echo $((6*7)); exit 5\r")
    term.read_until(b"\r\n42\r\n")
    assert term.wait() == 5
    assert termios.tcgetattr(term.slave) == term.attributes
    for _ in range(100):  # AutoRemove: the daemon removes it as the wait said
        if not exists(session_client, container):
            break
        time.sleep(0.05)
    assert not exists(session_client, container)


def test_run_it_sends_the_terminal_size(busybox: str, pty_session: Callable[..., Pty]) -> None:
    term = pty_session("run", "-it", "--rm", *LABEL_ARGS, busybox, "sh")
    import fcntl
    import struct

    fcntl.ioctl(term.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
    term.read_until(b"# ")
    term.process.send_signal(signal.SIGWINCH)
    time.sleep(0.5)  # the resize goes out from rawdock's signal thread
    term.type(b"stty size; exit\r")
    term.read_until(b"33 111\r\n")
    assert term.wait() == 0


def test_sigterm_mid_session_restores_the_terminal_and_removes(
    busybox: str, name: Callable[[str], str], pty_session: Callable[..., Pty],
    session_client: rawdock.Client,
) -> None:  # fmt: skip
    container = name("killed")
    term = pty_session("run", "-it", "--rm", "--name", container, *LABEL_ARGS, busybox, "sh")
    term.read_until(b"# ")
    assert termios.tcgetattr(term.slave) != term.attributes  # raw mode while it runs
    term.process.send_signal(signal.SIGTERM)
    assert term.wait() == 128 + signal.SIGTERM
    assert termios.tcgetattr(term.slave) == term.attributes
    assert not exists(session_client, container)


def test_detach_keys_leave_the_container_running(
    busybox: str, name: Callable[[str], str], pty_session: Callable[..., Pty],
    session_client: rawdock.Client,
) -> None:  # fmt: skip
    container = name("detached")
    term = pty_session("run", "-it", "--name", container, *LABEL_ARGS, busybox, "sh")
    term.read_until(b"# ")
    term.type(b"\x10\x11")  # ctrl-p ctrl-q
    assert term.wait() == 0
    assert termios.tcgetattr(term.slave) == term.attributes
    assert session_client.inspect_container(container)["State"]["Running"]


def test_exec_it_shell_on_a_terminal(sleeper: str, pty_session: Callable[..., Pty]) -> None:
    term = pty_session("exec", "-it", sleeper, "sh")
    term.read_until(b"# ")
    term.type(b"echo $((6*7)); exit 5\r")
    term.read_until(b"\r\n42\r\n")
    assert term.wait() == 5
    assert termios.tcgetattr(term.slave) == term.attributes
