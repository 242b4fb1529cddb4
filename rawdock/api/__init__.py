"""What each endpoint is: method, path, query, body, and what the response becomes.

Nothing here talks to the daemon (the endpoints that carry registry credentials read the docker
CLI's config.json, and may run its credential helper: rawdock.auth). An endpoint is a small
function that returns a `Call` (or a `StreamCall`) describing one request; a client runs it.
`rawdock.Client` runs calls over blocking sockets and `rawdock.aio.Client` over asyncio, both
from these same definitions:

    >>> API.start_container.describe("web")
    Call(method='POST', target='/containers/web/start', ...)

The endpoints are grouped by resource, as docker-py groups them and as the docker CLI groups its
commands: `system`, `images`, `containers`, `attach`, `networks`, `volumes`, `plugins`, `swarm`.
Each module holds one class of endpoint declarations (`@endpoint`, `@stream`, `@hijack` or
`@sequence`); `Endpoints` inherits them all, and every client inherits `Endpoints`. The
machinery they share (`Call`, `StreamCall`, `check_status`, ...) is in `calls`.
"""

from __future__ import annotations

from .attach import Attach
from .calls import (
    DAEMON_WORK,
    AsyncRunner,
    Body,
    Call,
    Communicate,
    HijackCall,
    Response,
    Steps,
    StreamCall,
    SyncRunner,
    advance,
    check_status,
    check_version,
    endpoint,
    hijack,
    json_body,
    result_of,
    sequence,
    stream,
)
from .containers import Containers
from .images import Images
from .networks import Networks
from .plugins import Plugins
from .swarm import Swarm
from .system import System
from .volumes import Volumes

__all__ = [
    "Call",
    "StreamCall",
    "HijackCall",
    "Communicate",
    "Steps",
    "advance",
    "Response",
    "Endpoints",
    "API",
    "endpoint",
    "stream",
    "hijack",
    "sequence",
    "SyncRunner",
    "AsyncRunner",
    "check_status",
    "check_version",
    "Body",
    "result_of",
    "json_body",
    "DAEMON_WORK",
]


class Endpoints(
    System,
    Images,
    Containers,
    Attach,
    Networks,
    Volumes,
    Plugins,
    Swarm,
):
    """Every endpoint rawdock knows, shared by the sync and asyncio clients."""


#: The endpoint definitions, for looking at a call without running it:
#: `API.start_container.describe("web")`.
API = Endpoints
