"""Swarm endpoints. A swarm is the engine's own orchestrator: services (a desired state:
image, command, replicas) are turned into tasks, each run as a container on some node."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..wire import target
from .calls import (
    JSON,
    Call,
    Filters,
    StreamCall,
    _filters,
    _json_call,
    _log_decoder,
    _nothing,
    _service_tty,
    endpoint,
    stream,
)

__all__ = ["Swarm"]


class Swarm:
    """`docker swarm`, `docker node`, `docker service`."""

    @endpoint
    def swarm_init(
        advertise_addr: str,
        listen_addr: str = "0.0.0.0:2377",
        force_new_cluster: bool = False,
        spec: Mapping[str, Any] | None = None,
    ) -> Call[str]:
        """`docker swarm init --advertise-addr A --listen-addr L`: `POST /swarm/init`; returns
        the new node's id."""
        body = {
            "AdvertiseAddr": advertise_addr,
            "ListenAddr": listen_addr,
            "ForceNewCluster": force_new_cluster,
            "Spec": dict(spec or {}),
        }
        return _json_call("POST", "/swarm/init", body)

    @endpoint
    def swarm_leave(force: bool = False) -> Call[None]:
        """`docker swarm leave [--force]`: `POST /swarm/leave?force=1` (a manager, even the last
        one, leaves only with force)."""
        query = {"force": force or None}
        return Call("POST", target("/swarm/leave", query=query), result=_nothing, timeout=None)

    @endpoint
    def swarm_inspect() -> Call[JSON]:
        """`GET /swarm`: the cluster's id, spec, `Version.Index` and join tokens (what
        `docker swarm join-token` prints); 503 when the engine is not a swarm manager."""
        return Call("GET", "/swarm")

    @endpoint
    def nodes(filters: Filters | None = None) -> Call[JSON]:
        """`docker node ls`: `GET /nodes`."""
        return Call("GET", target("/nodes", query={"filters": _filters(filters)}))

    @endpoint
    def services(filters: Filters | None = None, status: bool = False) -> Call[JSON]:
        """`docker service ls`: `GET /services`; `status` adds ServiceStatus (running and
        desired task counts, API 1.41+)."""
        query = {"filters": _filters(filters), "status": status or None}
        return Call("GET", target("/services", query=query))

    @endpoint
    def create_service(spec: Mapping[str, Any]) -> Call[JSON]:
        """`docker service create`: `POST /services/create` with `spec` as the JSON body, exactly
        as given. Returns `{"ID": ...}`. The daemon tries to pull a tagged image whenever a task
        starts (and falls back to a local image if that fails); an image given by id
        ("sha256:...") is never pulled."""
        return _json_call("POST", "/services/create", dict(spec))

    @endpoint
    def inspect_service(id: str, insert_defaults: bool = False) -> Call[JSON]:
        """`docker service inspect ID`: `GET /services/{id}`. `Version.Index` is what
        `update_service` needs."""
        query = {"insertDefaults": insert_defaults or None}
        return Call("GET", target("/services/{}", id, query=query))

    @endpoint
    def update_service(id: str, version: int, spec: Mapping[str, Any]) -> Call[JSON]:
        """`docker service update` / `scale`: `POST /services/{id}/update?version=N` with the
        whole new spec. `version` is the `Version.Index` the spec was read at: if the service
        changed since, the daemon refuses (optimistic concurrency) and you read it again."""
        return _json_call(
            "POST", target("/services/{}/update", id, query={"version": version}), dict(spec)
        )

    @endpoint
    def remove_service(id: str) -> Call[None]:
        """`docker service rm ID`: `DELETE /services/{id}`."""
        return Call("DELETE", target("/services/{}", id), result=_nothing)

    @endpoint
    def tasks(filters: Filters | None = None) -> Call[JSON]:
        """`docker service ps` / `docker node ps`: `GET /tasks`, e.g. with
        filters={"service": [id], "desired-state": ["running"]}."""
        return Call("GET", target("/tasks", query={"filters": _filters(filters)}))

    @stream
    def service_logs(
        id: str,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str | None = None,
        since: str | int | None = None,
        details: bool = False,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker service logs [-f] ID`: `GET /services/{id}/logs`, the logs of all its tasks,
        yielding `(stream, data)` like `logs`. The framing follows the service's
        TaskTemplate.ContainerSpec.TTY (multiplexed without one), which engines before API 1.42
        do not say in Content-Type: then the service is inspected to find out."""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": since,
            "details": details or None,
        }
        probe = Call("GET", target("/services/{}", id), result=_service_tty)
        return StreamCall(
            "GET", target("/services/{}/logs", id, query=query), _log_decoder, tty_probe=probe
        )
