"""rawdock: a small Docker Engine API client that writes its own HTTP.

    import rawdock
    client = rawdock.Client()                 # unix:///var/run/docker.sock, or DOCKER_HOST
    client.images()                           # GET /images/json
    client.containers(all=True)               # GET /containers/json?all=1
    created = client.create_container(        # POST /containers/create?name=web
        {"Image": "nginx", "ExposedPorts": {"80/tcp": {}},
         "HostConfig": {"PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}}},
        name="web")
    client.start_container("web")             # POST /containers/web/start

The layers, each usable alone: `rawdock.wire` (HTTP/1.1 bytes, sans-IO), `rawdock.streams`
(multiplexed frames and JSON streams, sans-IO), `rawdock.transport` (sockets, keep-alive,
timeouts), `rawdock.api` (what each endpoint is), `rawdock.client` (runs them).
"""

from .api import Response
from .client import Client, Stream
from .errors import (
    Conflict,
    DaemonUnreachable,
    DockerError,
    InvalidArgument,
    NotFound,
    NotSwarmManager,
    ProtocolError,
    RawdockError,
    StaleVersion,
    Timeout,
    TransportError,
)
from .transport import TLSConfig

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Stream",
    "Response",
    "TLSConfig",
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
    "__version__",
]
