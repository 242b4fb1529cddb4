"""Does a Docker engine answer where rawdock looks (DOCKER_HOST, the docker context, else
/var/run/docker.sock)? Asked by .ci/engine.sh before it installs or starts anything.

Exit status: 0 an engine answers; 3 its socket refuses us (permission); 4 DOCKER_HOST or a
docker context names an engine that does not answer; 5 nothing answers on the default socket.
The line for a person goes to stderr.
"""

from __future__ import annotations

import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

import rawdock  # noqa: E402
from rawdock.context import DEFAULT_CONTEXT, current_context  # noqa: E402

ANSWERS = 0
DENIED = 3
NAMED_BUT_SILENT = 4
NOTHING_ANSWERS = 5

CONNECT_TIMEOUT = 5.0
TIMEOUT = 10.0


def say(line: str) -> None:
    print(f"[engine.sh] {line}", file=sys.stderr)


def denied(path: str) -> bool:
    """True when the socket is there but connect(2) says EACCES: the engine is fine, we are not
    allowed in. Anything else (no socket, nobody listening) is the ping's to report."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT)
        try:
            probe.connect(path)
        except PermissionError:
            return True
        except OSError:
            return False
    return False


def main() -> int:
    try:
        named = bool(os.environ.get("DOCKER_HOST")) or current_context() != DEFAULT_CONTEXT
        client = rawdock.Client(timeout=TIMEOUT, connect_timeout=CONNECT_TIMEOUT)
    except rawdock.RawdockError as error:  # a malformed DOCKER_HOST, a context that is gone
        say(f"{error}; installing nothing")
        return NAMED_BUT_SILENT
    endpoint = client.endpoint
    try:
        answers = client.ping()
        problem = "" if answers else "it answered /_ping with something other than OK"
    except rawdock.RawdockError as error:
        problem = str(error)
    finally:
        client.close()
    if not problem:
        say(f"a Docker engine answers at {endpoint.url}: nothing to install or start")
        return ANSWERS
    if endpoint.scheme == "unix" and denied(endpoint.path):
        say(
            f"permission denied on {endpoint.path}: add your user to the 'docker' group "
            f"(sudo usermod -aG docker $USER, then log in again), or run with sudo"
        )
        return DENIED
    if named:
        say(f"{problem} (named by DOCKER_HOST or the docker context): start that engine or "
            f"unset it; installing nothing")
        return NAMED_BUT_SILENT
    return NOTHING_ANSWERS


if __name__ == "__main__":
    sys.exit(main())
