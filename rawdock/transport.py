"""Moving the bytes: endpoints, connections, timeouts, keep-alive. No HTTP knowledge beyond
"send these bytes, feed what comes back to a ResponseParser" lives here.

    endpoint = parse_host("unix:///var/run/docker.sock")
    transport = Transport(endpoint)
    exchange = transport.open(b"GET /_ping HTTP/1.1\\r\\nHost: docker\\r\\n\\r\\n", "GET")
    exchange.head.status, exchange.read()     # (200, b'OK')

A `Transport` keeps a few idle connections open (HTTP/1.1 keep-alive) and hands each request a
connection of its own, so streams, threads and nested requests never share a socket. What it
decides about a connection (how long to wait, whether to reuse it, whether a failed request
may go again) is `rawdock.exchange`'s, shared with the asyncio transport; see
docs/connections.md.

Remote engines: `tcp://host:port` plain or with TLS (`TLSConfig`, configured like the docker CLI
from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH), and `ssh://[user@]host[:port]`, which
runs `ssh host docker system dial-stdio` and speaks HTTP over the ssh process's stdin/stdout.
Without a host, a docker context (`rawdock.context`) may name the endpoint.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from .errors import DaemonUnreachable, Timeout, TransportError
from .exchange import (
    DEFAULT_TIMEOUT,
    IDEMPOTENT_METHODS,
    MORE,
    BaseExchange,
    C,
    Deadline,
    Pool,
    TraceHook,
    _Default,
    seconds,
    transport_error,
)
from .wire.values import Value

if TYPE_CHECKING:
    import ssl
    import subprocess

__all__ = [
    "DEFAULT_HOST",
    "Endpoint",
    "TLSConfig",
    "parse_host",
    "connect",
    "Connection",
    "TLSConnection",
    "SSHConnection",
    "Transport",
    "Exchange",
    "TraceHook",
    "DEFAULT_TIMEOUT",
]

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: Bytes asked of the socket per read: large enough that a fast stream costs few system calls.
RECV_SIZE = 256 * 1024
#: Idle kept-alive connections held for reuse; more concurrent requests open more, then close them.
MAX_IDLE_CONNECTIONS = 4
#: Default port of a plain tcp:// endpoint, as in the docker CLI.
DEFAULT_TCP_PORT = 2375
#: Default port of a tcp:// endpoint when TLS is on, as in the docker CLI.
DEFAULT_TLS_PORT = 2376
#: The ssh command line before the host, as the docker CLI runs it (cli/connhelper): no pseudo
#: terminal, a bounded connect time, and BatchMode so that ssh fails instead of prompting.
SSH_COMMAND = ("ssh", "-T", "-o", "ConnectTimeout=30", "-o", "BatchMode=yes")
#: What runs on the remote host: a proxy from its stdin/stdout to the local daemon socket.
SSH_REMOTE_COMMAND = ("docker", "system", "dial-stdio")
#: Seconds a closed ssh connection may take to exit by itself before it is terminated.
SSH_EXIT_TIMEOUT = 2.0
#: The tail of ssh's stderr kept for error messages.
MAX_SSH_STDERR = 8 * 1024
#: Pause between connect attempts while a Unix socket's accept queue is full (see _connect_unix).
UNIX_CONNECT_RETRY_INTERVAL = 0.01


class TLSConfig(Value):
    """TLS for a tcp:// endpoint: `ca` is the CA file the daemon's certificate must chain to,
    `cert` and `key` the client certificate presented to the daemon (a daemon started with
    --tlsverify refuses clients without one). `verify=False` encrypts without checking who
    answers (the docker CLI's --tls without --tlsverify); `ca` is then optional. `ca=None` with
    `verify=True` trusts the system's CAs.

        TLSConfig(ca="certs/ca.pem", cert="certs/cert.pem", key="certs/key.pem")
        TLSConfig.from_directory("certs")      # ca.pem, cert.pem, key.pem, as DOCKER_CERT_PATH
    """

    ca: str | None
    cert: str | None
    key: str | None
    verify: bool

    def __init__(
        self,
        ca: str | None = None,
        cert: str | None = None,
        key: str | None = None,
        verify: bool = True,
    ) -> None:
        object.__setattr__(self, "ca", ca)
        object.__setattr__(self, "cert", cert)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "verify", verify)

    @classmethod
    def from_directory(cls, path: str, verify: bool = True) -> TLSConfig:
        """ca.pem, cert.pem and key.pem in `path`, as the docker CLI reads DOCKER_CERT_PATH. As
        there, a client certificate is used only when cert.pem and key.pem exist, and ca.pem only
        when it exists or `verify` needs it (then its absence is an error naming the file)."""
        ca, cert, key = (os.path.join(path, name) for name in ("ca.pem", "cert.pem", "key.pem"))
        has_cert, has_key = os.path.exists(cert), os.path.exists(key)
        return cls(
            ca=ca if verify or os.path.exists(ca) else None,
            cert=cert if has_cert or has_key else None,
            key=key if has_cert or has_key else None,
            verify=verify,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TLSConfig | None:
        """TLS as the docker CLI configures it from the environment, or None for plain TCP.
        DOCKER_TLS_VERIFY (any non-empty value) turns on TLS and verification of the daemon;
        DOCKER_TLS alone turns on TLS without verification. The files come from
        DOCKER_CERT_PATH, default the docker config directory (DOCKER_CONFIG or ~/.docker)."""
        env = os.environ if environ is None else environ
        verify = bool(env.get("DOCKER_TLS_VERIFY"))
        if not verify and not env.get("DOCKER_TLS"):
            return None
        path = env.get("DOCKER_CERT_PATH") or env.get("DOCKER_CONFIG")
        return cls.from_directory(path or os.path.expanduser("~/.docker"), verify=verify)


class Endpoint(Value):
    """Where the daemon listens. `url` is what the user gave; `host_header` is what `Host:`
    carries (HTTP/1.1 requires the field even on a Unix socket, RFC 9112 §3.2)."""

    url: str
    scheme: str  # "unix", "tcp" or "ssh"
    path: str  # unix: the socket; ssh: the daemon socket on the remote host, if not default
    host: str  # tcp, ssh
    port: int  # tcp, ssh (0: ssh's own default)
    tls: TLSConfig | None  # tcp
    user: str  # ssh
    ssh_options: tuple[str, ...]  # ssh: extra arguments to ssh, before the host

    def __init__(
        self,
        url: str,
        scheme: str,
        path: str = "",
        host: str = "",
        port: int = 0,
        tls: TLSConfig | None = None,
        user: str = "",
        ssh_options: tuple[str, ...] = (),
    ) -> None:
        object.__setattr__(self, "url", url)
        object.__setattr__(self, "scheme", scheme)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "host", host)
        object.__setattr__(self, "port", port)
        object.__setattr__(self, "tls", tls)
        object.__setattr__(self, "user", user)
        object.__setattr__(self, "ssh_options", ssh_options)

    @property
    def host_header(self) -> str:
        return f"{self.host}:{self.port}" if self.scheme == "tcp" else "docker"

    def ssh_command(self) -> list[str]:
        """The command line of an ssh:// endpoint, as the docker CLI builds it."""
        command = [*SSH_COMMAND, *self.ssh_options]
        if self.user:
            command += ["-l", self.user]
        if self.port:
            command += ["-p", str(self.port)]
        remote = list(SSH_REMOTE_COMMAND)
        if self.path:
            remote[1:1] = ["--host", f"unix://{self.path}"]
        return [*command, "--", self.host, *remote]


def parse_host(
    url: str | None = None,
    tls: TLSConfig | bool | None = None,
    ssh_options: Sequence[str] = (),
) -> Endpoint:
    """The endpoint from `url`, else `DOCKER_HOST`, else the docker context (DOCKER_CONTEXT, else
    the current context of the docker config), else the local Unix socket.

    `tls` applies to tcp:// hosts: a TLSConfig, True for the docker CLI's files (DOCKER_CERT_PATH
    or ~/.docker) with verification, False for plain TCP, or None for what the environment says
    (`TLSConfig.from_env`; a context carries its own TLS material).
    `ssh_options` are extra ssh arguments for ssh:// hosts (e.g. ["-i", "key"])."""
    if not url and not os.environ.get("DOCKER_HOST"):
        from .context import context_endpoint  # reads files: only when no host is given

        endpoint = context_endpoint()
        if endpoint is not None:
            if isinstance(tls, TLSConfig) or tls is False:
                endpoint = endpoint._replace(tls=tls or None)
            return endpoint._replace(ssh_options=tuple(ssh_options))
    url = url or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise DaemonUnreachable(f"invalid host {url!r}: expected unix:///path or tcp://host:port")
    if scheme == "unix":
        if not rest.startswith("/"):
            raise DaemonUnreachable(f"invalid host {url!r}: a unix socket path must be absolute")
        return Endpoint(url, "unix", path=rest)
    if scheme in ("tcp", "http"):
        hostport = rest.rstrip("/")
        host, _, port = (
            hostport.rpartition(":")
            if "]" not in hostport.rpartition(":")[2]
            else (hostport, "", "")
        )
        if not host:
            host, port = hostport, ""
        host = host.strip("[]")
        if not host or (port and not port.isdigit()):
            raise DaemonUnreachable(f"invalid host {url!r}: expected tcp://host:port")
        if tls is True:  # TLS with the CLI's files, verifying: `docker --tlsverify`
            tls_config = TLSConfig.from_env({**os.environ, "DOCKER_TLS_VERIFY": "1"})
        else:
            tls_config = TLSConfig.from_env() if tls is None else tls or None
        default_port = DEFAULT_TCP_PORT if tls_config is None else DEFAULT_TLS_PORT
        return Endpoint(
            url, "tcp", host=host, port=int(port) if port else default_port, tls=tls_config
        )
    if scheme == "ssh":
        return _parse_ssh(url, rest, tuple(ssh_options))
    raise DaemonUnreachable(
        f"unsupported scheme {scheme!r} in host {url!r}: rawdock speaks unix://, tcp:// and ssh://"
    )


def _parse_ssh(url: str, rest: str, ssh_options: tuple[str, ...]) -> Endpoint:
    # ssh://[user@]host[:port][/path/of/the/remote/socket], as the docker CLI accepts it.
    authority, slash, path = rest.partition("/")
    user, _, hostport = authority.rpartition("@")
    host, colon, port = hostport.rpartition(":") if "]" not in hostport[-1:] else ("", "", "")
    if not colon:
        host, port = hostport, ""
    host = host.strip("[]")
    if not host or (port and not port.isdigit()) or host.startswith("-"):
        raise DaemonUnreachable(f"invalid host {url!r}: expected ssh://[user@]host[:port]")
    return Endpoint(
        url,
        "ssh",
        path=slash + path if path else "",
        host=host,
        port=int(port) if port else 0,
        user=user,
        ssh_options=ssh_options,
    )


def _cannot_connect(endpoint: Endpoint, exc: OSError) -> TransportError:
    """The error a person sees when the daemon is not there, worded like the docker CLI's."""
    if isinstance(exc, socket.timeout):
        return Timeout(f"timed out connecting to the Docker daemon at {endpoint.url}")
    if isinstance(exc, PermissionError):
        return DaemonUnreachable(
            f"permission denied while trying to connect to the Docker daemon socket at "
            f"{endpoint.url}: add your user to the 'docker' group (then log in again), "
            f"or run with sudo"
        )
    reason = "" if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)) else f" ({exc})"
    return DaemonUnreachable(
        f"Cannot connect to the Docker daemon at {endpoint.url}. "
        f"Is the docker daemon running?{reason}"
    )


def _connect_unix(sock: socket.socket, path: str, timeout: float | None) -> None:
    """connect(2) to a Unix socket, waiting up to `timeout` for the daemon to make room.

    A socket with a timeout is non-blocking underneath, and a non-blocking connect to a Unix
    listener whose accept queue is full fails at once with EAGAIN (TCP instead retries the SYN
    until the timeout). A busy daemon is not a missing one: try again until the deadline, then
    time out, so the connect timeout means the same on both."""
    sock.settimeout(timeout)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            sock.connect(path)
            return
        except BlockingIOError:
            remaining = 0.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out") from None
            time.sleep(min(UNIX_CONNECT_RETRY_INTERVAL, remaining))


class Connection:
    """One open socket to the daemon."""

    _buffer: memoryview | None = None  # where reads land; made at the first read

    def __init__(self, endpoint: Endpoint, connect_timeout: float | None) -> None:
        self.endpoint = endpoint
        try:
            if endpoint.scheme == "unix":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    _connect_unix(sock, endpoint.path, connect_timeout)
                except BaseException:
                    sock.close()
                    raise
            else:
                sock = socket.create_connection((endpoint.host, endpoint.port), connect_timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            raise _cannot_connect(endpoint, exc) from None
        self.sock = sock

    def _set_timeout(self, timeout: float | None) -> None:
        # settimeout() is a system call (it switches the descriptor between blocking and
        # non-blocking mode); gettimeout() only reads what is set: skip the call when it is.
        if self.sock.gettimeout() != timeout:
            self.sock.settimeout(timeout)

    def send(self, data: bytes, timeout: float | None) -> None:
        self._set_timeout(timeout)
        self.sock.sendall(data)

    def recv(self, timeout: float | None) -> bytes:
        # recv_into a buffer kept for the connection, then copy out what arrived. sock.recv(n)
        # would allocate n bytes for every read and shrink them: with n = 256 KiB that costs
        # more (tens of µs: the allocator maps and unmaps memory) than a small response takes
        # to arrive; copying the bytes received costs a fraction of reading them.
        if self._buffer is None:
            self._buffer = memoryview(bytearray(RECV_SIZE))
        self._set_timeout(timeout)
        size = self.sock.recv_into(self._buffer)
        return bytes(self._buffer[:size])

    def is_stale(self) -> bool:
        """An idle kept-alive connection should have nothing to read. If it does, the daemon
        closed it (EOF) or sent something unasked for: either way it cannot be reused."""
        try:
            self.sock.setblocking(False)
            self.sock.recv(1, socket.MSG_PEEK)  # b"" (EOF) or a byte: stale alike
            return True
        except BlockingIOError:
            return False
        except OSError:
            return True

    def close(self) -> None:
        self.sock.close()


def connect(endpoint: Endpoint, connect_timeout: float | None) -> Connection:
    """A new connection of the kind the endpoint needs."""
    if endpoint.scheme == "ssh":
        return SSHConnection(endpoint, connect_timeout)
    if endpoint.tls is not None:
        return TLSConnection(endpoint, connect_timeout)
    return Connection(endpoint, connect_timeout)


class TLSConnection(Connection):
    """A TCP connection wrapped in TLS (the standard library's `ssl`, imported only here): the
    daemon's certificate is checked against `tls.ca` and its name against the host, and the
    client certificate is presented. Failures become DaemonUnreachable naming the file or the
    verification that failed."""

    def __init__(self, endpoint: Endpoint, connect_timeout: float | None) -> None:
        import ssl

        assert endpoint.tls is not None
        context = _ssl_context(endpoint.tls)
        super().__init__(endpoint, connect_timeout)
        try:
            self.sock = context.wrap_socket(self.sock, server_hostname=endpoint.host)
        except ssl.SSLError as exc:
            self.sock.close()
            raise self._tls_error(exc) from None
        except OSError as exc:
            self.sock.close()
            raise _cannot_connect(endpoint, exc) from None

    def send(self, data: bytes, timeout: float | None) -> None:
        import ssl

        try:
            super().send(data, timeout)
        except ssl.SSLError as exc:
            raise self._tls_error(exc) from None

    def recv(self, timeout: float | None) -> bytes:
        import ssl

        try:
            return super().recv(timeout)
        except ssl.SSLError as exc:
            # With TLS 1.3 the daemon judges the client certificate after the client's side of
            # the handshake is done, so its refusal arrives here, with the first response.
            raise self._tls_error(exc) from None

    def is_stale(self) -> bool:
        """As for a plain socket, but MSG_PEEK does not exist on TLS: decrypted bytes already
        buffered, a record carrying data or a close_notify, or EOF, all mean "do not reuse". A
        record with no application data (a TLS 1.3 session ticket) leaves it usable."""
        import ssl

        sock: ssl.SSLSocket = self.sock  # type: ignore[assignment]
        if sock.pending():
            return True
        try:
            sock.setblocking(False)
            sock.recv(1)
            return True
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except OSError:
            return True

    def _tls_error(self, exc: ssl.SSLError) -> DaemonUnreachable:
        tls = self.endpoint.tls
        assert tls is not None
        reason = getattr(exc, "reason", None) or str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in str(exc) or reason == "CERTIFICATE_VERIFY_FAILED":
            detail = getattr(exc, "verify_message", "") or reason
            hint = f"the daemon's certificate does not verify against {tls.ca}: {detail}"
        elif "ALERT" in reason.upper() and "CERTIFICATE" in reason.upper():
            refused = f"the daemon refused the connection ({reason}): "
            if tls.cert is None:
                hint = refused + "no client certificate was given"
            else:
                hint = refused + f"it does not accept the client certificate {tls.cert}"
        else:
            hint = f"TLS handshake failed: {reason}"
        return DaemonUnreachable(
            f"cannot connect to the Docker daemon at {self.endpoint.url}: {hint}"
        )


def _ssl_context(tls: TLSConfig) -> ssl.SSLContext:
    """The SSLContext for `tls`, with a clear error for a missing or unusable file."""
    import ssl

    for what, path in (("CA", tls.ca), ("client certificate", tls.cert), ("client key", tls.key)):
        if path is not None and not os.path.isfile(path):
            raise DaemonUnreachable(f"TLS {what} file not found: {path}")
    if (tls.cert is None) != (tls.key is None):
        raise DaemonUnreachable("TLS needs both a client certificate and its key (cert and key)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        if tls.verify:
            if tls.ca is None:
                context.load_default_certs()
            else:
                context.load_verify_locations(cafile=tls.ca)
        else:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if tls.cert is not None:
            context.load_cert_chain(tls.cert, tls.key)
    except (ssl.SSLError, OSError) as exc:
        raise DaemonUnreachable(
            f"cannot use the TLS files (ca={tls.ca}, cert={tls.cert}, key={tls.key}): {exc}"
        ) from None
    return context


class SSHConnection(Connection):
    """HTTP over `ssh [-l user] [-p port] host docker system dial-stdio`, as the docker CLI does.

    One ssh process per connection. Its stdin and stdout are one end of a socketpair and
    `sock` the other, so everything above (send, recv, the MSG_PEEK idle check, detach after an
    upgrade) sees an ordinary socket. A watcher thread keeps the tail of ssh's stderr and reaps
    the process; when ssh fails (authentication, no docker on the remote host), the error
    raised carries its exit status and stderr."""

    def __init__(self, endpoint: Endpoint, connect_timeout: float | None) -> None:
        import subprocess

        self.endpoint = endpoint
        ours, theirs = socket.socketpair()
        try:
            self.process: subprocess.Popen[bytes] = subprocess.Popen(
                endpoint.ssh_command(),
                stdin=theirs.fileno(),
                stdout=theirs.fileno(),
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            ours.close()
            raise DaemonUnreachable(f"cannot run ssh for {endpoint.url}: {exc}") from None
        finally:
            theirs.close()
        self.sock = ours
        self._stderr = bytearray()
        import threading  # only for ssh: a thread watches the ssh process

        self._watcher = threading.Thread(target=self._watch, name="rawdock-ssh", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        with stderr:
            for line in stderr:
                self._stderr += line
                del self._stderr[:-MAX_SSH_STDERR]
        self.process.wait()

    def send(self, data: bytes, timeout: float | None) -> None:
        try:
            super().send(data, timeout)
        except OSError as exc:
            raise self._ssh_failure() or exc from None

    def recv(self, timeout: float | None) -> bytes:
        try:
            data = super().recv(timeout)
        except (BrokenPipeError, ConnectionResetError) as exc:
            # ssh exited with our request unread: the socketpair resets.
            raise self._ssh_failure() or exc from None
        if not data:
            failure = self._ssh_failure()
            if failure is not None:
                raise failure
        return data

    def _ssh_failure(self) -> DaemonUnreachable | None:
        """When the stream ended: the error if ssh exited with a failure, None if it did not."""
        self._watcher.join(SSH_EXIT_TIMEOUT)
        status = self.process.returncode
        if not status:
            return None
        stderr = self._stderr.decode("utf-8", "replace").strip()
        return DaemonUnreachable(
            f"ssh to {self.endpoint.url} failed (exit status {status}): "
            f"{stderr or 'ssh wrote nothing on stderr'}"
        )

    def close(self) -> None:
        """Close our end: ssh sees EOF and exits; if it does not in time, it is terminated."""
        import subprocess

        self.sock.close()
        self._watcher.join(SSH_EXIT_TIMEOUT)
        if self.process.returncode is None:
            self.process.terminate()
            try:
                self.process.wait(SSH_EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self._watcher.join()


class TransportSettings(Pool[C]):
    """What every transport (this one, and rawdock.aio's) is told: where, how long to wait for
    each read (`timeout`, None: forever) and to connect (`connect_timeout`, default `timeout`),
    how long one whole exchange may take (`deadline`, None: no bound), and whom to show the
    bytes (`trace`). Each keeps its idle connections in the `Pool` it is."""

    def __init__(
        self,
        endpoint: Endpoint,
        timeout: float | None = 60,
        connect_timeout: float | None = None,
        trace: TraceHook | None = None,
        deadline: float | None = None,
        max_idle: int = MAX_IDLE_CONNECTIONS,
    ) -> None:
        super().__init__(max_idle)
        self.endpoint = endpoint
        self.timeout = seconds(timeout)
        self.connect_timeout = self.timeout if connect_timeout is None else seconds(connect_timeout)
        self.trace = trace
        self.deadline = seconds(deadline)

    def _deadline(
        self,
        timeout: float | None | _Default,
        deadline: float | None | _Default,
        work: float | None = 0,
        item_work: float = 0,
    ) -> Deadline:
        """The bounds of one exchange; DEFAULT_TIMEOUT takes the transport's own (checked once,
        when it was made), any other is checked here.

        `work`: the seconds the daemon may spend on the call before it answers (stop's grace
        period; None: as long as it takes); `item_work` the same between two pieces of the
        body (a build's steps). Each such wait gets the read timeout plus the work; see
        `_working` for when a deadline replaces it."""
        body_timeout = self.timeout if isinstance(timeout, _Default) else seconds(timeout)
        total = self.deadline if isinstance(deadline, _Default) else seconds(deadline)
        return Deadline(
            _working(self.timeout, work, total), _working(body_timeout, item_work, total), total
        )

    def _connect_timeout(self, bounds: Deadline) -> float | None:
        try:
            return bounds.wait(self.connect_timeout)
        except TimeoutError as exc:
            raise transport_error(exc, self.endpoint.url, bounds) from None


def _working(timeout: float | None, work: float | None, total: float | None) -> float | None:
    """The bound of a wait during which the daemon may work `work` seconds before it sends:
    the read timeout plus the work. None when the work has no bound, or when a deadline
    (`total`) bounds the call: the caller's own bound for the whole call, which may be longer
    than the work's (`with_deadline(3600)` for an hour's build)."""
    work = seconds(work)
    if work is None or (work and total is not None):
        return None
    return None if timeout is None else timeout + work


class Transport(TransportSettings[Connection]):
    """Runs requests over connections to one endpoint, keeping idle ones for reuse.
    Thread-safe: each request takes a connection of its own."""

    def open(
        self,
        request: bytes,
        method: str,
        timeout: float | None | _Default = DEFAULT_TIMEOUT,
        deadline: float | None | _Default = DEFAULT_TIMEOUT,
        work: float | None = 0,
        item_work: float = 0,
        pieces: Iterable[bytes] | None = None,
    ) -> Exchange:
        """Send `request` and read up to the response head. The body is read from the returned
        `Exchange`. A kept-alive connection that turns out to be dead is replaced by a new one
        and the request sent again, but only when that cannot run it twice.

        The transport's `timeout` bounds each wait until the head is in (longer by `work`, the
        seconds the daemon may work before it answers: see `_deadline`), `timeout` each wait
        for a piece of the body (None: no bound; default the transport's; longer by
        `item_work`, the daemon's work between two pieces); `deadline`, in
        seconds, bounds the whole exchange, body included, however the daemon spaces its bytes
        (default the transport's `deadline`). `pieces`: the body of a request whose head says
        `Transfer-Encoding: chunked`, sent chunk by chunk after it (and never resent: a pooled
        connection is checked first)."""
        bounds = self._deadline(timeout, deadline, work, item_work)
        # Only a request that could not be sent again is worth a check of its connection first
        # (a system call): for the others a dead connection shows itself as an EOF before any
        # response, and they are resent on a new one. Go's net/http, the daemon's own client,
        # works the same way.
        conn = self.take_idle(check=method not in IDEMPOTENT_METHODS or pieces is not None)
        while True:
            reused = conn is not None
            conn = conn or connect(self.endpoint, self._connect_timeout(bounds))
            exchange = Exchange(self, conn, method, bounds, self.endpoint.url, self.trace, reused)
            try:
                exchange._start(request, pieces)
                return exchange
            except BaseException as exc:
                error = exchange._retry(exc)
                if error is not None:
                    raise error from None
            conn = None  # a resend never takes a pooled connection: they are as old as this one

    def close(self) -> None:
        """Close every idle connection. Open exchanges close their own."""
        self.drop_idle()


class Exchange(BaseExchange[Connection]):
    """One request's response on one connection: the `head`, then the body from `next_data()`,
    `iter_body()` or `read()`. Reading to the end gives the connection back for reuse; `close()`
    before the end closes it, since the rest of the body would still be in the way. After a
    101 response, `detach()` hands over the socket and `hijacked_bytes` what came after the
    head."""

    def _start(self, request: bytes, pieces: Iterable[bytes] | None = None) -> None:
        conn = self._live()
        conn.send(self._sending(request), self._next_wait())
        if pieces is not None:
            try:
                for chunk in self._chunks(pieces):
                    conn.send(chunk, self._next_wait())
            except (BrokenPipeError, ConnectionResetError):
                # The daemon answered before reading it all (a 404 for a missing container)
                # and closed its end: its answer, already in the socket, is read below.
                pass
        self._sent_whole()
        while self._parser.head is None:
            self._received(conn.recv(self._next_wait()))

    def next_data(self) -> bytes | None:
        """The next piece of the body (chunked framing removed): what one read from the socket
        brought; None at the end. (A log of short lines comes as one tiny chunk per line;
        joining a read's chunks spares the consumer a round per chunk.)"""
        try:
            while (piece := self._take()) is MORE:
                self._received(self._live().recv(self._next_wait()))
            return piece  # type: ignore[return-value]  # not MORE, as the loop says
        except BaseException as exc:
            raise self._error(exc) from None

    def iter_body(self) -> Iterator[bytes]:
        """The body as it arrives, piece by piece (see `next_data`)."""
        try:
            while (data := self.next_data()) is not None:
                yield data
        finally:
            self.close()

    def read(self) -> bytes:
        """The whole body."""
        pieces = []
        while (data := self.next_data()) is not None:
            pieces.append(data)
            if self._conn is None:  # that was the last piece (the usual small response)
                break
        return b"".join(pieces)

    def detach(self) -> socket.socket:
        """Take the socket out of HTTP (after a 101 upgrade): the caller owns it now, and
        `hijacked_bytes` holds what already came after the head."""
        return self._detach().sock
