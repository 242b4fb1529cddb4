"""The one error hierarchy: everything rawdock raises is a `RawdockError`.

    RawdockError
    ├── InvalidArgument      an argument rawdock cannot send (raised before anything is sent)
    ├── ProtocolError        the bytes on the wire are not valid HTTP/1.1 (or not what Docker sends)
    ├── TransportError       the connection itself failed
    │   ├── DaemonUnreachable    nothing answers at the endpoint (missing socket, refused, denied)
    │   └── Timeout              connect or read took longer than allowed
    └── DockerError          the daemon answered with an error status (or an in-band error)
        ├── NotFound             404
        └── Conflict             409

`DockerError` carries the daemon's own message verbatim: the daemon knows best what went wrong.
"""

from __future__ import annotations

__all__ = [
    "RawdockError",
    "InvalidArgument",
    "ProtocolError",
    "TransportError",
    "DaemonUnreachable",
    "Timeout",
    "DockerError",
    "NotFound",
    "Conflict",
    "error_for_status",
]


class RawdockError(Exception):
    """Base of every error rawdock raises."""


class InvalidArgument(RawdockError, ValueError):
    """An argument that cannot be sent: an empty or `..` name, a NaN in a JSON body, a value
    JSON cannot encode, a parameter the negotiated API version does not have. Raised before
    anything is sent; the message names the argument (or the key path inside a body). It is
    also a ValueError, as a bad argument is in Python."""


class ProtocolError(RawdockError):
    """The peer sent something that is not a valid HTTP/1.1 response, or ended one too early."""


class TransportError(RawdockError):
    """The connection failed: reset, closed, refused, or an OS-level socket error."""


class DaemonUnreachable(TransportError):
    """Nothing answers at the endpoint. The message says where, and what to try."""


class Timeout(TransportError):
    """Connecting or reading took longer than the configured timeout."""


class DockerError(RawdockError):
    """The daemon answered with an error. `status` is the HTTP status (0 for an in-band error
    inside a 200 stream); `message` is the daemon's message, verbatim."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class NotFound(DockerError):
    """404: no such container, image, network, ..."""


class Conflict(DockerError):
    """409: a name already in use, a container that is running, ..."""


_BY_STATUS: dict[int, type[DockerError]] = {404: NotFound, 409: Conflict}


def error_for_status(status: int, message: str) -> DockerError:
    """The one place that maps an HTTP status to an exception class."""
    return _BY_STATUS.get(status, DockerError)(status, message)
