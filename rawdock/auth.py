"""Registry credentials, found as the docker CLI finds them, and the headers that carry them.

The daemon pulls and pushes; the client only hands it credentials, in a header of each request:
`X-Registry-Auth` (pull, push, create_service, plugin pull) holds one set, `X-Registry-Config`
(build) a set per registry. Both are base64url-encoded JSON (the docker CLI's
`registry.EncodeAuthConfig`, `base64.URLEncoding`):

    {"username": "ann", "password": "s3cret", "serveraddress": "127.0.0.1:5001"}

Where credentials come from, in the CLI's order (cli/config/configfile):
1. an explicit `auth=` argument;
2. `credHelpers[registry]` in `config.json`, else `credsStore`: the program
   `docker-credential-<name> get` with the registry on stdin, answering
   `{"ServerURL": ..., "Username": ..., "Secret": ...}` (a Username of "<token>" means the
   Secret is an identity token);
3. `auths[registry].auth` in `config.json`: base64 of "user:password".
`config.json` is in `$DOCKER_CONFIG`, else `~/.docker`. Docker Hub's key is
"https://index.docker.io/v1/".

Credentials are never printed: `redact_request` is what `--trace` shows of a request, and
`redact_fields` what `--curl` shows of its header fields.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping

from .errors import RawdockError

__all__ = [
    "AuthConfig",
    "CredentialsError",
    "INDEX_SERVER",
    "registry_of",
    "config_path",
    "credentials",
    "all_credentials",
    "encode",
    "registry_auth_header",
    "registry_config_header",
    "redact_fields",
    "redact_request",
]

#: Credentials as the daemon reads them: "username", "password", "serveraddress", or
#: "identitytoken" (what `login` may return), or "registrytoken".
AuthConfig = Mapping[str, str]
#: Docker Hub's key in config.json (the CLI's registry.IndexServer).
INDEX_SERVER = "https://index.docker.io/v1/"
#: The header fields that carry credentials: never shown.
SECRET_FIELDS = frozenset({"x-registry-auth", "x-registry-config", "authorization"})
REDACTED = "<redacted>"
#: Seconds a credential helper may take to answer.
HELPER_TIMEOUT = 30
#: What a credential helper prints when it has nothing for the registry (docker-credential-helpers
#: credentials.errCredentialsNotFoundMessage): no credentials, not an error.
_NOT_FOUND = "credentials not found in native keychain"


class CredentialsError(RawdockError):
    """A credential helper is missing, fails, or answers something that is not credentials;
    or config.json cannot be read. The message names the helper and the registry, never a
    secret."""


def registry_of(image: str) -> str:
    """The registry an image reference names, as config.json keys it: the first part of the
    name when it has a "." or a ":" or is "localhost" (reference.ParseNormalizedNamed), else
    Docker Hub (INDEX_SERVER).

        >>> registry_of("127.0.0.1:5001/app:1"), registry_of("busybox")
        ('127.0.0.1:5001', 'https://index.docker.io/v1/')"""
    first, slash, _ = image.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first
    return INDEX_SERVER


def config_path() -> str:
    """The docker CLI's config.json: in $DOCKER_CONFIG, else ~/.docker."""
    directory = os.environ.get("DOCKER_CONFIG") or os.path.join(os.path.expanduser("~"), ".docker")
    return os.path.join(directory, "config.json")


def _config() -> dict[str, object]:
    try:
        with open(config_path(), encoding="utf-8") as file:
            config = json.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CredentialsError(f"cannot read {config_path()}: {exc}") from None
    return config if isinstance(config, dict) else {}


def _helper(name: str, registry: str) -> dict[str, str] | None:
    """`docker-credential-<name> get`, the registry on stdin (the credential-helper protocol)."""
    import subprocess  # only when config.json names a helper

    program = f"docker-credential-{name}"
    try:
        done = subprocess.run(
            [program, "get"],
            input=registry.encode(),
            capture_output=True,
            timeout=HELPER_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise CredentialsError(
            f"credential helper {program} (named in {config_path()}) is not on PATH"
        ) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        why = f"credential helper {program} failed for {registry}: {exc}"
        raise CredentialsError(why) from None
    said = done.stdout.decode(errors="replace").strip()
    if done.returncode != 0:
        if _NOT_FOUND in said:
            return None
        why = done.stderr.decode(errors="replace").strip() or said or f"exit {done.returncode}"
        raise CredentialsError(f"credential helper {program} failed for {registry}: {why}")
    try:
        answer = json.loads(said)
        username, secret = answer["Username"], answer["Secret"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(
            f"credential helper {program} answered no credentials for {registry}"
        ) from None
    if username == "<token>":
        return {"identitytoken": secret, "serveraddress": registry}
    return {"username": username, "password": secret, "serveraddress": registry}


def _from_auths(config: Mapping[str, object], registry: str) -> dict[str, str] | None:
    auths = config.get("auths")
    entry = auths.get(registry) if isinstance(auths, dict) else None
    if not isinstance(entry, dict):
        return None
    found: dict[str, str] = {"serveraddress": registry}
    if entry.get("auth"):
        import base64  # only here and in encode: `import rawdock` stays small

        try:
            username, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except ValueError:
            why = f"the auth of {registry} in {config_path()} is not base64 of user:password"
            raise CredentialsError(why) from None
        found.update(username=username, password=password)
    if entry.get("identitytoken"):
        found["identitytoken"] = entry["identitytoken"]
    return found if len(found) > 1 else None


def credentials(registry: str) -> dict[str, str] | None:
    """The credentials config.json gives for `registry` (credHelpers, credsStore, then auths),
    or None. Runs a credential helper when config.json names one; raises CredentialsError when
    it is missing or fails."""
    config = _config()
    helpers = config.get("credHelpers")
    helper = helpers.get(registry) if isinstance(helpers, dict) else None
    helper = helper or config.get("credsStore")
    if isinstance(helper, str) and helper:
        return _helper(helper, registry)
    return _from_auths(config, registry)


def all_credentials() -> dict[str, dict[str, str]]:
    """Every registry's credentials in config.json's `auths` (as `docker build` sends them)."""
    config = _config()
    auths = config.get("auths")
    found = {}
    for registry in auths if isinstance(auths, dict) else ():
        entry = _from_auths(config, registry)
        if entry:
            found[registry] = entry
    return found


def encode(value: object) -> str:
    """base64url of compact JSON: how both headers carry credentials."""
    import base64

    text = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode("ascii")


def registry_auth_header(image: str, auth: AuthConfig | None = None) -> tuple[tuple[str, str]]:
    """The X-Registry-Auth field for a pull or push of `image`: `auth` as given, else what
    config.json has for the image's registry, else `{}` (the daemon insists on the field)."""
    found = dict(auth) if auth is not None else credentials(registry_of(image))
    return (("X-Registry-Auth", encode(found or {})),)


def registry_config_header(
    auths: Mapping[str, AuthConfig] | None = None,
) -> tuple[tuple[str, str], ...]:
    """The X-Registry-Config field of a build: registry -> credentials, for every registry its
    Dockerfile may pull from (`auths`, else all of config.json's); none when there are none."""
    found = {registry: dict(auth) for registry, auth in (auths or all_credentials()).items()}
    return (("X-Registry-Config", encode(found)),) if found else ()


def redact_fields(fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header fields as they may be shown: credentials replaced by "<redacted>"."""
    return [(name, REDACTED if name.lower() in SECRET_FIELDS else value) for name, value in fields]


def redact_request(data: bytes) -> bytes:
    """Request bytes as they may be shown: the values of credential fields, and the body of a
    `POST /auth` (a password), replaced by "<redacted>". Other bytes pass unchanged."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return data
    lines = head.split(b"\r\n")
    for index, line in enumerate(lines[1:], 1):
        name, colon, _ = line.partition(b":")
        if colon and name.strip().lower().decode("latin-1") in SECRET_FIELDS:
            lines[index] = name + b": " + REDACTED.encode()
    request_line = lines[0].split(b" ")
    is_login = len(request_line) > 1 and request_line[1].split(b"?")[0].endswith(b"/auth")
    if is_login and body:
        body = REDACTED.encode()
    return b"\r\n".join(lines) + sep + body
