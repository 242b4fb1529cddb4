"""Docker contexts, read where the docker CLI stores them.

A context is a named endpoint: `docker context create remote --docker host=tcp://h:2376,...`
writes it, `docker context use remote` makes it current. rawdock reads the same files, so a
`Client()` with no host goes where `docker` goes:

    ~/.docker/config.json                                  {"currentContext": "remote"}
    ~/.docker/contexts/meta/<sha256(name)>/meta.json       {"Name": "remote", "Endpoints":
                                                             {"docker": {"Host": "tcp://h:2376",
                                                                         "SkipTLSVerify": false}}}
    ~/.docker/contexts/tls/<sha256(name)>/docker/          ca.pem, cert.pem, key.pem

The order, as in the CLI: an explicit host, then DOCKER_HOST, then DOCKER_CONTEXT, then the
config's currentContext, then the local socket. The context "default" is the local socket.
DOCKER_CONFIG moves ~/.docker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from .errors import DaemonUnreachable
from .transport import Endpoint, TLSConfig, parse_host

__all__ = [
    "DEFAULT_CONTEXT",
    "config_dir",
    "current_context",
    "context_endpoint",
    "context_id",
]

#: The built-in context: the local daemon (or DOCKER_HOST). It has no files.
DEFAULT_CONTEXT = "default"


def config_dir(environ: Mapping[str, str] | None = None) -> str:
    """The docker CLI's configuration directory: DOCKER_CONFIG, else ~/.docker."""
    env = os.environ if environ is None else environ
    return env.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")


def context_id(name: str) -> str:
    """The directory name of a context: the hex SHA-256 of its name (the CLI's store layout)."""
    import hashlib  # only for a named context: its import costs ~2 ms, every command would pay

    return hashlib.sha256(name.encode("utf-8")).hexdigest()


def current_context(environ: Mapping[str, str] | None = None) -> str:
    """The context in use: DOCKER_CONTEXT, else `currentContext` of config.json, else
    "default"."""
    env = os.environ if environ is None else environ
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    config = _read_json(os.path.join(config_dir(env), "config.json"), missing_ok=True)
    name = config.get("currentContext") if isinstance(config, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_CONTEXT


def context_endpoint(
    name: str | None = None, environ: Mapping[str, str] | None = None
) -> Endpoint | None:
    """The endpoint of context `name` (default: the current one); None for "default", which
    means the local socket. A context that does not exist is an error, as in the CLI."""
    env = os.environ if environ is None else environ
    name = name or current_context(env)
    if name == DEFAULT_CONTEXT:
        return None
    contexts = os.path.join(config_dir(env), "contexts")
    meta_path = os.path.join(contexts, "meta", context_id(name), "meta.json")
    meta = _read_json(meta_path, missing_ok=False, context=name)
    try:
        docker = meta["Endpoints"]["docker"]
        host = docker["Host"]
    except (KeyError, TypeError):
        raise DaemonUnreachable(
            f"docker context {name!r} has no docker endpoint host ({meta_path})"
        ) from None
    skip_verify = bool(docker.get("SkipTLSVerify"))
    tls_dir = os.path.join(contexts, "tls", context_id(name), "docker")
    tls: TLSConfig | bool = False
    if os.path.isdir(tls_dir) or skip_verify:
        tls = TLSConfig.from_directory(tls_dir, verify=not skip_verify)
        if tls.ca is not None and not os.path.exists(tls.ca):
            tls = TLSConfig(None, tls.cert, tls.key, tls.verify)  # the system's CAs, as in Go
    return parse_host(str(host), tls=tls)


def _read_json(path: str, missing_ok: bool, context: str | None = None) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise DaemonUnreachable(f"docker context {context!r} does not exist ({path})") from None
    except (OSError, ValueError) as exc:
        raise DaemonUnreachable(f"cannot read the docker configuration {path}: {exc}") from None
