"""Plugin endpoints: `docker plugin ls/install/inspect/enable/disable/set/upgrade/push/create/rm`.

A plugin is an image of a special kind (a rootfs and a config.json) that the engine runs to
offer a volume, network, log or authorization driver."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..auth import AuthConfig, registry_auth_header
from ..wire import target
from .calls import (
    DAEMON_WORK,
    JSON,
    Body,
    Call,
    Filters,
    StreamCall,
    _filters,
    _json_call,
    _json_stream,
    _nothing,
    endpoint,
    json_body,
    stream,
)

__all__ = ["Plugins"]


class Plugins:
    """`docker plugin`."""

    @endpoint
    def plugins(filters: Filters | None = None) -> Call[JSON]:
        """`docker plugin ls`: `GET /plugins`, e.g. filters={"enabled": ["true"]}."""
        return Call("GET", target("/plugins", query={"filters": _filters(filters)}))

    @endpoint
    def plugin_privileges(remote: str) -> Call[JSON]:
        """The privileges a plugin asks for before `pull_plugin`:
        `GET /plugins/privileges?remote=REF`, a list of `{"Name", "Description", "Value"}`: the
        daemon asks the registry first."""
        path = target("/plugins/privileges", query={"remote": remote})
        return Call("GET", path, work=DAEMON_WORK)

    @stream
    def pull_plugin(
        remote: str,
        privileges: Sequence[Mapping[str, Any]],
        name: str | None = None,
        auth: AuthConfig | None = None,
    ) -> StreamCall[JSON]:
        """`docker plugin install REF`: `POST /plugins/pull?remote=REF&name=NAME` with the
        privileges granted (what `plugin_privileges` returned) as the JSON body, yielding
        progress objects; the plugin is installed disabled:

            grants = client.plugin_privileges("127.0.0.1:5000/vol:1")
            for progress in client.pull_plugin("127.0.0.1:5000/vol:1", grants): ..."""
        return StreamCall(
            "POST",
            target("/plugins/pull", query={"remote": remote, "name": name}),
            _json_stream,
            body=json_body(list(privileges)),
            content_type="application/json",
            headers=registry_auth_header(remote, auth),
            work=DAEMON_WORK,  # the first line comes once the registry has answered
        )

    @endpoint
    def inspect_plugin(name: str) -> Call[JSON]:
        """`docker plugin inspect NAME`: `GET /plugins/{name}/json`."""
        return Call("GET", target("/plugins/{}/json", name))

    @endpoint
    def remove_plugin(name: str, force: bool = False) -> Call[None]:
        """`docker plugin rm [-f] NAME`: `DELETE /plugins/{name}`. An enabled plugin is refused
        without `force`. (The spec says the plugin comes back; engine 20.10 sends no body.)"""
        path = target("/plugins/{}", name, query={"force": force or None})
        return Call("DELETE", path, result=_nothing)

    @endpoint
    def enable_plugin(name: str, timeout: int | None = None) -> Call[None]:
        """`docker plugin enable NAME`: `POST /plugins/{name}/enable?timeout=N`: the engine
        starts the plugin and waits up to N seconds (default 30) for its socket."""
        path = target("/plugins/{}/enable", name, query={"timeout": timeout})
        return Call("POST", path, result=_nothing, work=DAEMON_WORK)

    @endpoint
    def disable_plugin(name: str, force: bool = False) -> Call[None]:
        """`docker plugin disable [-f] NAME`: `POST /plugins/{name}/disable`."""
        path = target("/plugins/{}/disable", name, query={"force": force or None})
        return Call("POST", path, result=_nothing)

    @stream
    def upgrade_plugin(
        name: str,
        remote: str,
        privileges: Sequence[Mapping[str, Any]],
        auth: AuthConfig | None = None,
    ) -> StreamCall[JSON]:
        """`docker plugin upgrade NAME REF`: `POST /plugins/{name}/upgrade?remote=REF` with the
        granted privileges as the JSON body, yielding progress objects. The plugin must be
        disabled."""
        return StreamCall(
            "POST",
            target("/plugins/{}/upgrade", name, query={"remote": remote}),
            _json_stream,
            body=json_body(list(privileges)),
            content_type="application/json",
            headers=registry_auth_header(remote, auth),
            work=DAEMON_WORK,  # the first line comes once the registry has answered
        )

    @endpoint
    def create_plugin(name: str, context: Body) -> Call[None]:
        """`docker plugin create NAME DIR`: `POST /plugins/create?name=NAME` with a tar of the
        plugin (`config.json` and `rootfs/`) as the body (bytes, or pieces sent chunked, such
        as `rawdock.archive.tar_stream(DIR)`)."""
        path = target("/plugins/create", query={"name": name})
        return Call("POST", path, context, "application/x-tar", result=_nothing, work=DAEMON_WORK)

    @stream
    def push_plugin(name: str, auth: AuthConfig | None = None) -> StreamCall[JSON]:
        """`docker plugin push NAME`: `POST /plugins/{name}/push`, yielding progress objects.
        The name says the registry (`127.0.0.1:5000/vol:1`)."""
        return StreamCall(
            "POST",
            target("/plugins/{}/push", name),
            _json_stream,
            headers=registry_auth_header(name, auth),
        )

    @endpoint
    def configure_plugin(name: str, options: Mapping[str, str]) -> Call[None]:
        """`docker plugin set NAME KEY=VALUE...`: `POST /plugins/{name}/set` with
        `["KEY=VALUE", ...]` (settable env, mounts, devices, args; the plugin disabled):

            client.configure_plugin("vol", {"DEBUG": "1"})"""
        body = [f"{key}={value}" for key, value in options.items()]
        return _json_call("POST", target("/plugins/{}/set", name), body, result=_nothing)
