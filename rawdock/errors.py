"""The one error hierarchy: everything rawdock raises is a `RawdockError`.

    RawdockError
    ├── InvalidArgument      an argument rawdock cannot send (raised before anything is sent)
    ├── ProtocolError        the bytes on the wire are not valid HTTP/1.1 (or not what Docker sends)
    ├── TransportError       the connection itself failed
    │   ├── DaemonUnreachable    nothing answers at the endpoint (missing socket, refused, denied)
    │   └── Timeout              connect or read took longer than allowed
    └── DockerError          the daemon answered with an error status (or an in-band error)
        ├── NotFound             404
        ├── Conflict             409
        │   └── StaleVersion         500 "update out of sequence": re-read the object, resend
        └── NotSwarmManager      503 from a swarm worker: send it to a manager

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
    "StaleVersion",
    "NotSwarmManager",
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


class StaleVersion(Conflict):
    """A swarm object (swarm, node, service, secret, config) was updated with a `version` that
    is no longer its `Version.Index`: someone changed it since it was read. The daemon says
    "update out of sequence" with a 500; it is a conflict like a 409, and the fix is to read
    the object again (inspect), apply the change to what was read, and send it again."""

    def __str__(self) -> str:
        return (
            f"{super().__str__()}: the object changed since its version was read; "
            "inspect it again and resend the update with the new Version.Index"
        )


class NotSwarmManager(DockerError):
    """503: the engine is a swarm worker, and only managers keep the cluster's state (nodes,
    services, tasks, secrets...). Send the request to a manager: a worker lists their
    addresses in `info()["Swarm"]["RemoteManagers"]`."""


_BY_STATUS: dict[int, type[DockerError]] = {404: NotFound, 409: Conflict}
#: Errors told apart by the daemon's message, where its status is too broad: (status, words).
_BY_MESSAGE: tuple[tuple[int, str, type[DockerError]], ...] = (
    (500, "update out of sequence", StaleVersion),  # swarmkit's errSequenceConflict
    (503, "is not a swarm manager", NotSwarmManager),  # also 503: "not part of a swarm"
)


def error_for_status(status: int, message: str) -> DockerError:
    """The one place that maps an HTTP status (and, for a few, the message) to an exception
    class."""
    for known_status, words, cls in _BY_MESSAGE:
        if status == known_status and words in message:
            return cls(status, message)
    return _BY_STATUS.get(status, DockerError)(status, message)
