"""Swarm endpoints. A swarm is the engine's own orchestrator: engines join as nodes (managers
keep the cluster's state in raft, workers run what they are given), services (a desired state:
image, command, replicas, placement, how to update) are turned into tasks, each run as a
container on some node; secrets and configs are small named blobs handed to those tasks.

Everything that changes an object of the cluster (swarm, node, service, secret, config) is
sent with the `Version.Index` it was read at (optimistic concurrency): if the object changed
since, the daemon refuses with "update out of sequence", which rawdock raises as
`rawdock.StaleVersion`: read the object again and resend. Cluster state is kept by managers
only: a worker answers such requests with 503, raised as `rawdock.NotSwarmManager`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..auth import AuthConfig, encode
from ..exchange import DEFAULT_TIMEOUT
from ..wire import target
from .calls import (
    DAEMON_WORK,
    JSON,
    Call,
    Filters,
    Response,
    StreamCall,
    Timestamp,
    _filters,
    _json_call,
    _log_decoder,
    _nothing,
    _service_tty,
    _time,
    endpoint,
    stream,
)

__all__ = ["Swarm"]


def _auth_field(auth: AuthConfig | None) -> tuple[tuple[str, str], ...]:
    # Only when given: the docker CLI sends credentials with a service only when asked to.
    return (("X-Registry-Auth", encode(dict(auth))),) if auth is not None else ()


def _task_tty(response: Response) -> bool:
    spec = response.json().get("Spec", {})
    return bool(spec.get("ContainerSpec", {}).get("TTY"))


def _unlock_key(response: Response) -> str:
    key: str = response.json().get("UnlockKey", "")
    return key


def _blob_spec(
    name: str, data: bytes | str, labels: Mapping[str, str] | None, **extra: Any
) -> dict[str, Any]:
    # The API takes a secret's or a config's content as standard base64 (SecretSpec.Data).
    # Imported here: a program that never makes one does not load base64 (tests/test_imports).
    import base64

    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    spec: dict[str, Any] = {
        "Name": name,
        "Labels": dict(labels or {}),
        "Data": base64.b64encode(raw).decode("ascii"),
    }
    spec.update({key: value for key, value in extra.items() if value is not None})
    return spec


class Swarm:
    """`docker swarm`, `docker node`, `docker service`, `docker secret`, `docker config`."""

    # --- The swarm itself -------------------------------------------------------------------

    @endpoint
    def swarm_init(
        advertise_addr: str,
        listen_addr: str = "0.0.0.0:2377",
        force_new_cluster: bool = False,
        spec: Mapping[str, Any] | None = None,
        data_path_addr: str | None = None,
        default_addr_pool: Sequence[str] | None = None,
        subnet_size: int | None = None,
    ) -> Call[str]:
        """`docker swarm init --advertise-addr A --listen-addr L`: `POST /swarm/init`; returns
        the new node's id. This engine becomes the swarm's first manager (and its leader).

            node_id = client.swarm_init("10.99.0.1", listen_addr="10.99.0.1:2377")"""
        body: dict[str, Any] = {
            "AdvertiseAddr": advertise_addr,
            "ListenAddr": listen_addr,
            "ForceNewCluster": force_new_cluster,
            "Spec": dict(spec or {}),
        }
        if data_path_addr is not None:
            body["DataPathAddr"] = data_path_addr
        if default_addr_pool is not None:
            body["DefaultAddrPool"] = list(default_addr_pool)
        if subnet_size is not None:
            body["SubnetSize"] = subnet_size
        return _json_call("POST", "/swarm/init", body)

    @endpoint
    def swarm_join(
        remote_addrs: Sequence[str],
        join_token: str,
        advertise_addr: str | None = None,
        listen_addr: str = "0.0.0.0:2377",
        data_path_addr: str | None = None,
    ) -> Call[None]:
        """`docker swarm join --token T MANAGER`: `POST /swarm/join`. The token (from a
        manager's `swarm_inspect()["JoinTokens"]`) says whether this engine joins as a worker
        or a manager; `remote_addrs` are managers' addresses ("10.99.0.1:2377").

            client.swarm_join(["10.99.0.1:2377"], token, advertise_addr="10.99.0.2")"""
        body: dict[str, Any] = {
            "ListenAddr": listen_addr,
            "RemoteAddrs": list(remote_addrs),
            "JoinToken": join_token,
        }
        if advertise_addr is not None:
            body["AdvertiseAddr"] = advertise_addr
        if data_path_addr is not None:
            body["DataPathAddr"] = data_path_addr
        return _json_call("POST", "/swarm/join", body, result=_nothing, work=DAEMON_WORK)

    @endpoint
    def swarm_leave(force: bool = False) -> Call[None]:
        """`docker swarm leave [--force]`: `POST /swarm/leave?force=1` (a manager, even the last
        one, leaves only with force). The node stays in the managers' list, Down, until it is
        removed with `remove_node`.

            client.swarm_leave()"""
        query = {"force": force or None}
        return Call(
            "POST",
            target("/swarm/leave", query=query),
            result=_nothing,
            work=DAEMON_WORK,  # the daemon answers once the node has left
        )

    @endpoint
    def swarm_inspect() -> Call[JSON]:
        """`GET /swarm`: the cluster's id, spec, `Version.Index` and join tokens (what
        `docker swarm join-token` prints); 503 when the engine is not a swarm manager.

            token = client.swarm_inspect()["JoinTokens"]["Worker"]"""
        return Call("GET", "/swarm")

    @endpoint
    def swarm_update(
        version: int,
        spec: Mapping[str, Any],
        rotate_worker_token: bool = False,
        rotate_manager_token: bool = False,
        rotate_manager_unlock_key: bool = False,
    ) -> Call[None]:
        """`docker swarm update` / `join-token --rotate`: `POST /swarm/update?version=N` with the
        whole new spec (read it, change it, send it back with the `Version.Index` read).

            swarm = client.swarm_inspect()
            swarm["Spec"]["EncryptionConfig"]["AutoLockManagers"] = True
            client.swarm_update(swarm["Version"]["Index"], swarm["Spec"])"""
        query = {
            "version": version,
            "rotateWorkerToken": rotate_worker_token or None,
            "rotateManagerToken": rotate_manager_token or None,
            "rotateManagerUnlockKey": rotate_manager_unlock_key or None,
        }
        return _json_call("POST", target("/swarm/update", query=query), dict(spec), result=_nothing)

    @endpoint
    def swarm_unlock_key() -> Call[str]:
        """`docker swarm unlock-key -q`: `GET /swarm/unlockkey`; the key that unlocks a
        restarted manager of an autolocked swarm ("" when the swarm is not autolocked).

            key = client.swarm_unlock_key()"""
        return Call("GET", "/swarm/unlockkey", result=_unlock_key)

    @endpoint
    def swarm_unlock(key: str) -> Call[None]:
        """`docker swarm unlock`: `POST /swarm/unlock` with `{"UnlockKey": key}`, on a manager
        that restarted locked.

            client.swarm_unlock("SWMKEY-1-...")"""
        return _json_call("POST", "/swarm/unlock", {"UnlockKey": key}, result=_nothing)

    # --- Nodes ------------------------------------------------------------------------------

    @endpoint
    def nodes(filters: Filters | None = None) -> Call[JSON]:
        """`docker node ls`: `GET /nodes`, e.g. with filters={"role": ["manager"]}.

        hostnames = [node["Description"]["Hostname"] for node in client.nodes()]"""
        return Call("GET", target("/nodes", query={"filters": _filters(filters)}))

    @endpoint
    def inspect_node(id: str) -> Call[JSON]:
        """`docker node inspect ID`: `GET /nodes/{id}` (an id, a unique id prefix or a hostname).
        `Version.Index` and `Spec` are what `update_node` needs.

            state = client.inspect_node("node2")["Status"]["State"]  # "ready", "down", ..."""
        return Call("GET", target("/nodes/{}", id))

    @endpoint
    def update_node(id: str, version: int, spec: Mapping[str, Any]) -> Call[None]:
        """`docker node update` / `promote` / `demote`: `POST /nodes/{id}/update?version=N` with
        the whole new NodeSpec (`Availability`: active, pause or drain; `Role`: worker or
        manager; `Labels`; `Name`).

            node = client.inspect_node("node2")
            spec = {**node["Spec"], "Availability": "drain"}
            client.update_node(node["ID"], node["Version"]["Index"], spec)"""
        return _json_call(
            "POST",
            target("/nodes/{}/update", id, query={"version": version}),
            dict(spec),
            result=_nothing,
        )

    @endpoint
    def remove_node(id: str, force: bool = False) -> Call[None]:
        """`docker node rm [--force] ID`: `DELETE /nodes/{id}`. Without force the daemon removes
        only a node that is Down (it left, or its engine stopped).

            client.remove_node("node3", force=True)"""
        return Call(
            "DELETE", target("/nodes/{}", id, query={"force": force or None}), result=_nothing
        )

    # --- Services ---------------------------------------------------------------------------

    @endpoint
    def services(filters: Filters | None = None, status: bool = False) -> Call[JSON]:
        """`docker service ls`: `GET /services`; `status` adds ServiceStatus (running and
        desired task counts, API 1.41+).

            names = [service["Spec"]["Name"] for service in client.services()]"""
        query = {"filters": _filters(filters), "status": status or None}
        return Call("GET", target("/services", query=query))

    @endpoint
    def create_service(spec: Mapping[str, Any], auth: AuthConfig | None = None) -> Call[JSON]:
        """`docker service create`: `POST /services/create` with `spec` as the JSON body, exactly
        as given. Returns `{"ID": ...}`. The daemon tries to pull a tagged image whenever a task
        starts (and falls back to a local image if that fails); an image given by id
        ("sha256:...") is never pulled. `auth` (`{"username": ..., "password": ...,
        "serveraddress": ...}`) goes in `X-Registry-Auth` and is handed to the nodes with the
        tasks, as `docker service create --with-registry-auth` does; without it nothing is sent.

            spec = {"Name": "web", "TaskTemplate": {"ContainerSpec": {"Image": "busybox"}},
                    "Mode": {"Replicated": {"Replicas": 3}}}
            service_id = client.create_service(spec)["ID"]"""
        return _json_call("POST", "/services/create", dict(spec), headers=_auth_field(auth))

    @endpoint
    def inspect_service(id: str, insert_defaults: bool = False) -> Call[JSON]:
        """`docker service inspect ID`: `GET /services/{id}`. `Version.Index` is what
        `update_service` needs; `PreviousSpec` is what a rollback returns to.

            replicas = client.inspect_service("web")["Spec"]["Mode"]["Replicated"]["Replicas"]"""
        query = {"insertDefaults": insert_defaults or None}
        return Call("GET", target("/services/{}", id, query=query))

    @endpoint
    def update_service(
        id: str,
        version: int,
        spec: Mapping[str, Any],
        rollback: str | None = None,
        registry_auth_from: str | None = None,
        auth: AuthConfig | None = None,
    ) -> Call[JSON]:
        """`docker service update` / `scale` / `rollback`: `POST /services/{id}/update?version=N`
        with the whole new spec. `version` is the `Version.Index` the spec was read at: if the
        service changed since, the daemon refuses (optimistic concurrency; `StaleVersion`) and
        you read it again. `rollback="previous"` (as the API spells it) returns the service to
        its `PreviousSpec`, as `docker service rollback` does (send the current spec with it).
        `registry_auth_from` is "spec" or "previous-spec"; `auth` new credentials, as with
        `create_service`. Returns `{"Warnings": [...]}`.

            service = client.inspect_service("web")
            service["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] = "busybox:2"
            client.update_service("web", service["Version"]["Index"], service["Spec"])"""
        query = {"version": version, "rollback": rollback, "registryAuthFrom": registry_auth_from}
        return _json_call(
            "POST",
            target("/services/{}/update", id, query=query),
            dict(spec),
            headers=_auth_field(auth),
        )

    @endpoint
    def remove_service(id: str) -> Call[None]:
        """`docker service rm ID`: `DELETE /services/{id}`; its tasks are stopped.

        client.remove_service("web")"""
        return Call("DELETE", target("/services/{}", id), result=_nothing)

    @stream
    def service_logs(
        id: str,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str | None = None,
        since: Timestamp | None = None,
        details: bool = False,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker service logs [-f] ID`: `GET /services/{id}/logs`, the logs of all its tasks
        on every node, gathered by the manager, yielding `(stream, data)` like `logs`. The
        framing follows the service's TaskTemplate.ContainerSpec.TTY (multiplexed without
        one), which engines before API 1.42 do not say in Content-Type: then the service is
        inspected to find out. `details` prefixes each line with the task's context
        ("com.docker.swarm.node.id=...,com.docker.swarm.service.id=...,...").

            for stream, data in client.service_logs("web", details=True): ..."""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": _time(since),
            "details": details or None,
        }
        probe = Call("GET", target("/services/{}", id), result=_service_tty)
        return StreamCall(
            "GET",
            target("/services/{}/logs", id, query=query),
            _log_decoder,
            tty_probe=probe,
            timeout=None if follow else DEFAULT_TIMEOUT,  # following: quiet while nothing runs
        )

    # --- Tasks ------------------------------------------------------------------------------

    @endpoint
    def tasks(filters: Filters | None = None) -> Call[JSON]:
        """`docker service ps` / `docker node ps`: `GET /tasks`, e.g. with
        filters={"service": [id], "desired-state": ["running"]}. Each task says where it runs
        (`NodeID`), which replica it is (`Slot`), what it should be (`DesiredState`) and what it
        is (`Status.State`: new, pending, assigned, ..., running, shutdown, failed, ...).

            states = [task["Status"]["State"] for task in client.tasks({"service": ["web"]})]"""
        return Call("GET", target("/tasks", query={"filters": _filters(filters)}))

    @endpoint
    def inspect_task(id: str) -> Call[JSON]:
        """`docker inspect TASK`: `GET /tasks/{id}`.

        container = client.inspect_task(task_id)["Status"]["ContainerStatus"]["ContainerID"]"""
        return Call("GET", target("/tasks/{}", id))

    @stream
    def task_logs(
        id: str,
        follow: bool = False,
        stdout: bool = True,
        stderr: bool = True,
        timestamps: bool = False,
        tail: int | str | None = None,
        since: Timestamp | None = None,
        details: bool = False,
    ) -> StreamCall[tuple[str, bytes]]:
        """`docker service logs TASK`: `GET /tasks/{id}/logs`, one task's logs from whichever node
        runs it, yielding `(stream, data)` like `service_logs`.

            output = b"".join(data for _, data in client.task_logs(task_id))"""
        query = {
            "follow": follow,
            "stdout": stdout,
            "stderr": stderr,
            "timestamps": timestamps or None,
            "tail": tail,
            "since": _time(since),
            "details": details or None,
        }
        probe = Call("GET", target("/tasks/{}", id), result=_task_tty)
        return StreamCall(
            "GET", target("/tasks/{}/logs", id, query=query), _log_decoder, tty_probe=probe
        )

    # --- Secrets ----------------------------------------------------------------------------

    @endpoint
    def secrets(filters: Filters | None = None) -> Call[JSON]:
        """`docker secret ls`: `GET /secrets` (never with their data).

        names = [secret["Spec"]["Name"] for secret in client.secrets()]"""
        return Call("GET", target("/secrets", query={"filters": _filters(filters)}))

    @endpoint
    def create_secret(
        name: str,
        data: bytes | str,
        labels: Mapping[str, str] | None = None,
        driver: Mapping[str, Any] | None = None,
        templating: Mapping[str, Any] | None = None,
    ) -> Call[JSON]:
        """`docker secret create NAME FILE`: `POST /secrets/create` with the SecretSpec, `data`
        sent base64-encoded as the API wants it. Returns `{"ID": ...}`.

            secret_id = client.create_secret("db-password", b"s3cret")["ID"]"""
        spec = _blob_spec(name, data, labels, Driver=driver, Templating=templating)
        return _json_call("POST", "/secrets/create", spec)

    @endpoint
    def inspect_secret(id: str) -> Call[JSON]:
        """`docker secret inspect ID`: `GET /secrets/{id}` (the spec without its data).

        version = client.inspect_secret("db-password")["Version"]["Index"]"""
        return Call("GET", target("/secrets/{}", id))

    @endpoint
    def update_secret(id: str, version: int, spec: Mapping[str, Any]) -> Call[None]:
        """`POST /secrets/{id}/update?version=N` with the whole SecretSpec; only `Labels` may
        change (a secret's data never does: make a new one).

            secret = client.inspect_secret("db-password")
            spec = {**secret["Spec"], "Labels": {"team": "a"}}
            client.update_secret(secret["ID"], secret["Version"]["Index"], spec)"""
        return _json_call(
            "POST",
            target("/secrets/{}/update", id, query={"version": version}),
            dict(spec),
            result=_nothing,
        )

    @endpoint
    def remove_secret(id: str) -> Call[None]:
        """`docker secret rm ID`: `DELETE /secrets/{id}`.

        client.remove_secret("db-password")"""
        return Call("DELETE", target("/secrets/{}", id), result=_nothing)

    # --- Configs ----------------------------------------------------------------------------

    @endpoint
    def configs(filters: Filters | None = None) -> Call[JSON]:
        """`docker config ls`: `GET /configs`.

        names = [config["Spec"]["Name"] for config in client.configs()]"""
        return Call("GET", target("/configs", query={"filters": _filters(filters)}))

    @endpoint
    def create_config(
        name: str,
        data: bytes | str,
        labels: Mapping[str, str] | None = None,
        templating: Mapping[str, Any] | None = None,
    ) -> Call[JSON]:
        """`docker config create NAME FILE`: `POST /configs/create` with the ConfigSpec, `data`
        sent base64-encoded. Returns `{"ID": ...}`.

            config_id = client.create_config("nginx.conf", open("nginx.conf", "rb").read())["ID"]"""
        spec = _blob_spec(name, data, labels, Templating=templating)
        return _json_call("POST", "/configs/create", spec)

    @endpoint
    def inspect_config(id: str) -> Call[JSON]:
        """`docker config inspect ID`: `GET /configs/{id}`, its spec with the data (base64).

        data = base64.b64decode(client.inspect_config("nginx.conf")["Spec"]["Data"])"""
        return Call("GET", target("/configs/{}", id))

    @endpoint
    def update_config(id: str, version: int, spec: Mapping[str, Any]) -> Call[None]:
        """`POST /configs/{id}/update?version=N` with the whole ConfigSpec; only `Labels` may
        change.

            config = client.inspect_config("nginx.conf")
            spec = {**config["Spec"], "Labels": {"team": "a"}}
            client.update_config(config["ID"], config["Version"]["Index"], spec)"""
        return _json_call(
            "POST",
            target("/configs/{}/update", id, query={"version": version}),
            dict(spec),
            result=_nothing,
        )

    @endpoint
    def remove_config(id: str) -> Call[None]:
        """`docker config rm ID`: `DELETE /configs/{id}`.

        client.remove_config("nginx.conf")"""
        return Call("DELETE", target("/configs/{}", id), result=_nothing)
