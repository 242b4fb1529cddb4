"""`--format`: the part of Go's text/template that docker users write, evaluated our own way.

    >>> render(parse("{{.Name}} has {{len .Tags}} tags: {{join .Tags \\", \\"}}"),
    ...        {"Name": "web", "Tags": ["a", "b"]})
    'web has 2 tags: a, b'

What is understood (docs.docker.com, "Format command and log output"):
- text, and actions `{{ ... }}` with `{{-`/`-}}` trimming the spaces beside them, and comments;
- `.`, `.Field.Sub` on JSON objects and on the row objects of `ps`/`images` (whose fields may
  take arguments: `.Label "com.example"`), `$` and the variables of `range $i, $v := ...`;
- string (`"..."`, `` `...` ``), number, `true`/`false` literals, `(pipelines)`, and `|` pipes;
- `if`/`else if`/`else`/`end`, `range`/`else`/`end`, `with`/`else`/`end`;
- docker's functions json, join, split, lower, upper, title, pad, truncate, and Go's println,
  print, printf (%s %d %v %q), len, index, eq, ne, lt, le, gt, ge, and, or, not.

Anything else (`define`, `template`, `block`, `break`, `slice`, printf verbs beyond those, ...)
is refused with a `TemplateError` naming it, never evaluated to something that might differ
from docker's output. So is printing a whole JSON object, which Go prints from its struct
definitions, which rawdock does not have: `{{json .State}}` prints it.

Errors carry docker's wording (`function "foo" not defined`, `map has no entry for key "X"`)
with the position, as text/template reports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["TemplateError", "Template", "Row", "Struct", "parse", "render", "go_text"]


class TemplateError(Exception):
    """A template that cannot be parsed, uses what rawdock does not support, or fails on an
    object. `parsing` tells the two first apart from the last."""

    def __init__(self, message: str, parsing: bool, partial: str = "") -> None:
        super().__init__(message)
        self.parsing = parsing
        #: What the template had written before it failed (Go writes as it goes).
        self.partial = partial


class Row:
    """An object whose template fields are computed (a line of `ps` or `images`): docker's
    formatter contexts. A subclass lists its fields in `HEADERS` (field -> table title) and
    defines a method per field; `.Label "k"` calls a method with an argument."""

    HEADERS: Mapping[str, str] = {}
    #: The Go type docker names in its errors ("*formatter.ContainerContext").
    GO_TYPE = "*formatter.Context"
    #: docker marshals its row contexts with json.Marshal, which escapes <, > and &.
    ESCAPE_HTML = True

    def field(self, name: str, args: Sequence[Any]) -> Any:
        method = getattr(self, name, None) if name in self.HEADERS else None
        if method is None:
            raise KeyError(name)
        return method(*args)

    def to_json(self) -> dict[str, Any]:
        """What `{{json .}}` shows: every field without arguments, as docker marshals it."""
        return {name: self.field(name, ()) for name in sorted(self.HEADERS) if name != "Label"}


class _Header(Row):
    """The row a table's title line is rendered from: each field is its title."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.HEADERS = headers

    def field(self, name: str, args: Sequence[Any]) -> Any:
        if name == "Label" and args:
            # docker's SubHeaderContext.Label: the last dotted part, "-" and "_" as spaces.
            return str(args[0]).rpartition(".")[2].replace("-", " ").replace("_", " ")
        if name not in self.HEADERS:
            raise KeyError(name)
        return self.HEADERS[name]


class Struct(Row):
    """A JSON object that docker evaluates as a Go struct (`version`, `info`): fields go by their
    Go names (`.APIVersion` for the JSON key "ApiVersion"), a field the struct lacks is an error
    naming the Go type, and `{{json .}}` is the JSON as the daemon sent it."""

    ESCAPE_HTML = False

    def __init__(
        self,
        value: Mapping[str, Any],
        go_type: str,
        go_names: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.value = value
        self.GO_TYPE = go_type
        self.go_names = go_names or {}  # Go name -> JSON key, where they differ
        self.fields = fields or {}  # fields given as objects of their own (nested structs)

    def field(self, name: str, args: Sequence[Any]) -> Any:
        if name in self.fields:
            return self.fields[name]
        key = self.go_names.get(name, name)
        json_name_only = name not in self.go_names and name in self.go_names.values()
        if args or json_name_only or key not in self.value:
            raise KeyError(name)
        return self.value[key]

    def to_json(self) -> Any:
        return {**self.value, **{name: value for name, value in self.fields.items()}}


# --- Parsing ----------------------------------------------------------------------------------

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<declare>:=|=)
    | (?P<variable>\$\w*(?:\.\w+)*)
    | (?P<field>(?:\.\w+)+|\.)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<punct>[|(),])
    )""",
    re.X,
)
_KEYWORDS = {"if", "else", "end", "range", "with"}
_UNSUPPORTED = {"define", "template", "block", "break", "continue"}


class _Node:
    __slots__ = ("kind", "value", "pos", "children")

    def __init__(self, kind: str, value: Any, pos: int, children: list[Any] | None = None):
        # text; if, range, with (children: variables, body, else-body); declare; pipe
        # (children: commands, each a list of operands); operands: field, var, function,
        # string, number, bool, nil, paren (children: a pipe), chain ((pipe).Field)
        self.kind = kind
        self.value = value
        self.pos = pos
        self.children = children or []


class Template:
    """A parsed template: a list of text pieces and actions, ready to `render`. `name` is what
    docker calls it in errors ("version" for `docker version`, "" elsewhere)."""

    def __init__(self, source: str, body: list[Any], name: str = "") -> None:
        self.source = source
        self.body = body
        self.name = name


def _named(error: TemplateError, name: str) -> TemplateError:
    # Errors are worded for the unnamed template ("template: :1:2: executing \"\" at ..."),
    # as most of docker's are; a named one says its name in both places.
    if not name:
        return error
    message = str(error).replace("template: :", f"template: {name}:", 1)
    message = message.replace('executing ""', f'executing "{name}"', 1)
    return TemplateError(message, error.parsing)


def _tokens(text: str, offset: int) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise TemplateError(
                f"template: :1: unexpected {text[pos:].strip()[:1]!r} in command", True
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append((kind, value, offset + match.start(kind)))
        pos = match.end()
    return tokens


def parse(source: str, name: str = "") -> Template:
    """Parse `source`; raises TemplateError for what is malformed or unsupported."""
    try:
        return _parse(source, name)
    except TemplateError as exc:
        raise _named(exc, name) from None


def _parse(source: str, name: str) -> Template:
    pieces: list[tuple[str, Any, int]] = []  # ("text", str, pos) | ("action", tokens, pos)
    pos = 0
    trim_next = False
    for match in _ACTION.finditer(source):
        text = source[pos : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        if text:
            pieces.append(("text", text, pos))
        inner = match.group(2)
        trim_next = bool(match.group(3))
        pos = match.end()
        stripped = inner.strip()
        if stripped.startswith("/*"):
            continue  # a comment
        pieces.append(("action", _tokens(inner, match.start(2)), match.start(2)))
    text = source[pos:]
    if "{{" in text:
        raise TemplateError("template: :1: unclosed action", True)
    if trim_next:
        text = text.lstrip()
    if text:
        pieces.append(("text", text, pos))
    body, _ = _block(pieces, 0, top=True)
    return Template(source, body, name)


def _block(pieces: list[tuple[str, Any, int]], index: int, top: bool) -> tuple[list[Any], int]:
    """Nodes until an `else` or `end` (returned as the stop index), or the end at top level."""
    nodes: list[Any] = []
    while index < len(pieces):
        kind, value, pos = pieces[index]
        if kind == "text":
            nodes.append(_Node("text", value, pos))
            index += 1
            continue
        tokens = value
        if not tokens:
            raise TemplateError("template: :1: missing value for command", True)
        first_kind, first, _ = tokens[0]
        if first_kind == "word" and first in _UNSUPPORTED:
            raise TemplateError(
                f'rawdock does not support "{{{{{first}}}}}" in --format templates', True
            )
        if first_kind == "word" and first in ("else", "end"):
            if top:
                raise TemplateError(f"template: :1: unexpected {{{{{first}}}}}", True)
            return nodes, index
        if first_kind == "word" and first in ("if", "range", "with"):
            node, index = _control(first, pieces, index)
            nodes.append(node)
            continue
        nodes.append(_action(tokens, pos))
        index += 1
    if not top:
        raise TemplateError("template: :1: unexpected EOF", True)
    return nodes, index


def _control(keyword: str, pieces: list[tuple[str, Any, int]], index: int) -> tuple[Any, int]:
    """`if`/`range`/`with` pipeline, its body, an optional else (or else if), and `end`."""
    tokens, pos = pieces[index][1][1:], pieces[index][2]
    variables: list[str] = []
    if keyword == "range" and any(kind == "declare" for kind, _, _ in tokens):
        while tokens and tokens[0][0] == "variable":
            variables.append(tokens[0][1])
            tokens = tokens[1:]
            if tokens and tokens[0] == ("punct", ",", tokens[0][2]):
                tokens = tokens[1:]
        if not tokens or tokens[0][0] != "declare":
            raise TemplateError("template: :1: range can only initialize variables", True)
        tokens = tokens[1:]
    condition = _pipeline(tokens, pos)
    body, index = _block(pieces, index + 1, top=False)
    otherwise: list[Any] = []
    else_tokens = pieces[index][1]
    if else_tokens[0][1] == "else":
        if len(else_tokens) > 1:
            if else_tokens[1][1] != "if" or keyword != "if":
                raise TemplateError(
                    f'rawdock does not support "else {else_tokens[1][1]}" in --format templates',
                    True,
                )
            # {{else if X}} is {{else}}{{if X}}...{{end}} sharing the outer end.
            shifted = list(pieces)
            shifted[index] = ("action", else_tokens[1:], pieces[index][2])
            node, index = _control("if", shifted, index)
            return _Node(keyword, condition, pos, [variables, body, [node]]), index
        otherwise, index = _block(pieces, index + 1, top=False)
    if pieces[index][1][0][1] != "end":
        raise TemplateError("template: :1: expected end; found else", True)
    return _Node(keyword, condition, pos, [variables, body, otherwise]), index + 1


def _action(tokens: list[tuple[str, str, int]], pos: int) -> _Node:
    if len(tokens) >= 2 and tokens[0][0] == "variable" and tokens[1][0] == "declare":
        return _Node("declare", tokens[0][1], pos, [_pipeline(tokens[2:], pos)])
    return _pipeline(tokens, pos)


def _pipeline(tokens: list[tuple[str, str, int]], pos: int) -> _Node:
    """command ("|" command)*, each command a list of operands."""
    commands: list[list[_Node]] = [[]]
    index = 0
    while index < len(tokens):
        kind, value, at = tokens[index]
        if kind == "punct" and value == "|":
            commands.append([])
        elif kind == "punct" and value == "(":
            depth, end = 1, index + 1
            while end < len(tokens) and depth:
                depth += (
                    {"(": 1, ")": -1}.get(tokens[end][1], 0) if tokens[end][0] == "punct" else 0
                )
                end += 1
            if depth:
                raise TemplateError("template: :1: unclosed left paren", True)
            node = _Node("paren", None, at, [_pipeline(tokens[index + 1 : end - 1], at)])
            # (pipeline).Field
            if (
                end < len(tokens)
                and tokens[end][0] == "field"
                and tokens[end][2] == (tokens[end - 1][2] + 1)
            ):
                node = _Node("chain", tokens[end][1], tokens[end][2], [node])
                end += 1
            commands[-1].append(node)
            index = end
            continue
        elif kind in ("punct", "declare"):
            raise TemplateError(f"template: :1: unexpected {value!r} in command", True)
        else:
            commands[-1].append(_operand(kind, value, at))
        index += 1
    if any(not command for command in commands):
        raise TemplateError("template: :1: missing value for command", True)
    return _Node("pipe", None, pos, commands)


def _operand(kind: str, value: str, at: int) -> _Node:
    if kind == "string":
        return _Node("string", json.loads(value) if "\\" in value else value[1:-1], at)
    if kind == "raw":
        return _Node("string", value[1:-1], at)
    if kind == "number":
        return _Node("number", float(value) if "." in value else int(value), at)
    if kind == "variable":
        dot = value.find(".")
        return _Node("var", value, at + dot if dot > 0 else at)
    if kind == "field":
        # text/template places a chain (.A.B) at its second field, and says so in its errors.
        second = value.find(".", 1)
        return _Node("field", value, at + second if second > 0 else at)
    if value in ("true", "false"):
        return _Node("bool", value == "true", at)
    if value == "nil":
        return _Node("nil", None, at)
    if value in _KEYWORDS or value in _UNSUPPORTED:
        raise TemplateError(f"template: :1: unexpected <{value}> in command", True)
    if value not in FUNCTIONS:
        if value in _GO_FUNCTIONS:
            raise TemplateError(
                f'rawdock does not support the function "{value}" in --format templates', True
            )
        raise TemplateError(f'template: :1: function "{value}" not defined', True)
    return _Node("function", value, at)


# --- Evaluation -------------------------------------------------------------------------------

_MISSING = object()


class _Scope:
    def __init__(self, root: Any, header: bool) -> None:
        self.root = root
        self.header = header
        self.variables: dict[str, Any] = {"$": root}


def render(template: Template, value: Any, header: Mapping[str, str] | None = None) -> str:
    """The template's text for `value`. With `header`, the title line of a table: fields are
    their titles and docker's functions leave their argument as it is."""
    scope = _Scope(_Header(header) if header is not None else value, header is not None)
    out: list[str] = []
    try:
        _run(template.body, scope.root, scope, out)
    except TemplateError as exc:
        error = _named(exc, template.name)
        error.partial = "".join(out)
        raise error from None
    return "".join(out)


def _run(nodes: list[Any], dot: Any, scope: _Scope, out: list[str]) -> None:
    for node in nodes:
        if node.kind == "text":
            out.append(node.value)
        elif node.kind == "declare":
            scope.variables[node.value] = _pipe(node.children[0], dot, scope)
        elif node.kind in ("if", "with"):
            variables, body, otherwise = node.children
            value = _pipe(node.value, dot, scope)
            if _truth(value):
                _run(body, value if node.kind == "with" else dot, scope, out)
            else:
                _run(otherwise, dot, scope, out)
        elif node.kind == "range":
            variables, body, otherwise = node.children
            value = _pipe(node.value, dot, scope)
            items = _items(value, node.pos)
            for key, item in items:
                if len(variables) == 1:
                    scope.variables[variables[0]] = item
                elif len(variables) == 2:
                    scope.variables[variables[0]], scope.variables[variables[1]] = key, item
                _run(body, item, scope, out)
            if not items:
                _run(otherwise, dot, scope, out)
        else:
            out.append(go_text(_pipe(node, dot, scope), node.pos))


def _items(value: Any, pos: int) -> list[tuple[Any, Any]]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, dict):
        return [(key, value[key]) for key in sorted(value)]  # Go ranges over a map in key order
    if isinstance(value, int) and not isinstance(value, bool):
        return [(i, i) for i in range(value)]
    raise TemplateError(
        f"template: :1:{pos}: range can't iterate over {go_text(value, pos)}", False
    )


def _truth(value: Any) -> bool:
    return value is not _MISSING and bool(value)


def _pipe(node: _Node, dot: Any, scope: _Scope) -> Any:
    result: Any = _MISSING
    for command in node.children:
        result = _command(command, dot, scope, result)
    return result


def _command(operands: list[_Node], dot: Any, scope: _Scope, piped: Any) -> Any:
    first = operands[0]
    args = [_value(operand, dot, scope) for operand in operands[1:]]
    if piped is not _MISSING:
        args.append(piped)
    if first.kind == "function":
        function = HEADER_FUNCTIONS.get(first.value) if scope.header else None
        function = function or FUNCTIONS[first.value]
        try:
            return function(*args)
        except TemplateError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
            raise TemplateError(
                f'template: :1:{first.pos}: executing "" at <{first.value}>: error calling '
                f"{first.value}: {exc}",
                False,
            ) from None
    if first.kind == "field":
        return _field(dot, first.value, first.pos, args)
    if first.kind == "var":
        base_name, _, path = first.value.partition(".")
        if base_name not in scope.variables:
            raise TemplateError(f"template: :1: undefined variable: {base_name}", False)
        base = scope.variables[base_name]
        return _field(base, "." + path, first.pos, args) if path else base
    if args:
        raise TemplateError(f"template: :1:{first.pos}: can't give argument to non-function", False)
    return _value(first, dot, scope)


def _value(node: _Node, dot: Any, scope: _Scope) -> Any:
    if node.kind in ("string", "number", "bool", "nil"):
        return node.value
    if node.kind == "field":
        return _field(dot, node.value, node.pos, [])
    if node.kind == "var":
        return _command([node], dot, scope, _MISSING)
    if node.kind == "paren":
        return _pipe(node.children[0], dot, scope)
    if node.kind == "chain":
        return _field(_pipe(node.children[0].children[0], dot, scope), node.value, node.pos, [])
    if node.kind == "function":
        return _command([node], dot, scope, _MISSING)
    raise TemplateError(f"template: :1: unexpected {node.kind}", True)


def _field(value: Any, path: str, pos: int, args: list[Any]) -> Any:
    """`.A.B` on `value`; arguments go to the last field (a Row method such as .Label)."""
    if path == ".":
        return value
    names = path[1:].split(".")
    for index, name in enumerate(names):
        last = index == len(names) - 1
        if isinstance(value, Row):
            try:
                value = value.field(name, args if last else ())
            except KeyError:
                raise TemplateError(
                    f'template: :1:{pos}: executing "" at <{path}>: can\'t evaluate field '
                    f"{name} in type {value.GO_TYPE}",
                    False,
                ) from None
            continue
        if last and args:
            raise TemplateError(
                f'template: :1:{pos}: executing "" at <{path}>: {name} has arguments but '
                f"cannot be invoked as function",
                False,
            )
        if isinstance(value, dict):
            if name not in value:
                raise TemplateError(
                    f'template: :1:{pos}: executing "" at <{path}>: map has no entry for key '
                    f'"{name}"',
                    False,
                )
            value = value[name]
        elif value is None:
            raise TemplateError(
                f'template: :1:{pos}: executing "" at <{path}>: nil pointer evaluating '
                f"interface {{}}.{name}",
                False,
            )
        else:
            raise TemplateError(
                f'template: :1:{pos}: executing "" at <{path}>: can\'t evaluate field {name} '
                f"in type {_go_type(value)}",
                False,
            )
    return value


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (int, float)):
        return "float64" if isinstance(value, float) else "int"
    if isinstance(value, list):
        return "[]interface {}"
    return "interface {}"


def go_text(value: Any, pos: int = 0) -> str:
    """How Go's fmt prints a value (%v): strings as they are, `true`, `<nil>`, `[a b]`. A JSON
    object is refused: Go prints structs from type definitions rawdock does not have."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if value is _MISSING:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_text(item, pos) for item in value) + "]"
    raise TemplateError(
        "rawdock does not print a whole JSON object the way Go prints a struct: use "
        "{{json ...}} for it",
        False,
    )


def _go_float(value: float) -> str:
    # strconv.FormatFloat(v, 'g', -1, 64): the shortest digits, exponent form from 1e21 on
    # and below 1e-4 (fmt's %v).
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{exponent.lstrip('+-').zfill(2)}"
    return text


# --- Functions --------------------------------------------------------------------------------


def _json(value: Any) -> str:
    escape_html = isinstance(value, Row) and value.ESCAPE_HTML
    value = _plain(value)
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def _plain(value: Any) -> Any:
    """JSON-ready data: rows and structs as their JSON objects."""
    if isinstance(value, Row):
        return _plain(value.to_json())
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return None if value is _MISSING else value


def _title(text: str) -> str:
    # strings.Title: a letter after anything but a letter, digit, "_" or "'" is upper-cased.
    out, previous = [], " "
    for char in text:
        boundary = not (previous.isalnum() or previous in "_'")
        out.append(char.upper() if boundary else char)
        previous = char
    return "".join(out)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"wrong type for value; expected string; got {_go_type(value)}")
    return value


def _join(items: Any, separator: str) -> str:
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise TypeError(f"wrong type for value; expected []string; got {_go_type(items)}")
    return separator.join(items)


def _pad(text: str, prefix: int, suffix: int) -> str:
    return "" if text == "" else " " * prefix + text + " " * suffix


def _truncate(text: str, length: int) -> str:
    return text if len(text) < length else text[:length]


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key) if key in value else _MISSING
        elif isinstance(value, (list, str)) and isinstance(key, int):
            if not 0 <= key < len(value):
                raise IndexError(f"index out of range: {key}")
            value = value[key]
        else:
            raise TypeError(f"can't index item of type {_go_type(value)}")
    return value


def _print(*values: Any) -> str:
    # fmt.Sprint: a space between operands when neither is a string.
    out = ""
    for index, value in enumerate(values):
        if index and not isinstance(value, str) and not isinstance(values[index - 1], str):
            out += " "
        out += go_text(value)
    return out


_PRINTF_VERB = re.compile(r"%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])")


def _printf(form: str, *values: Any) -> str:
    queue = list(values)

    def one(match: re.Match[str]) -> str:
        flags, verb = match.groups()
        if verb == "%":
            return "%"
        if verb not in "sdvq" or flags:
            raise TemplateError(
                f'rawdock does not support the printf verb "%{flags}{verb}" in --format '
                "templates (only %s, %d, %v and %q)",
                False,
            )
        if not queue:
            return f"%!{verb}(MISSING)"
        value = queue.pop(0)
        if verb == "q":
            return json.dumps(go_text(value), ensure_ascii=False)
        return go_text(value)

    return _PRINTF_VERB.sub(one, form)


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if isinstance(a, str) != isinstance(b, str):
            raise TypeError("incompatible types for comparison")
        return op(a, b)

    return compare


def _and(*values: Any) -> Any:
    for value in values:
        if not _truth(value):
            return value
    return values[-1]


def _or(*values: Any) -> Any:
    for value in values:
        if _truth(value):
            return value
    return values[-1]


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # docker's (cli/templates/templates.go)
    "json": _json,
    "join": _join,
    "split": lambda text, separator: _string(text).split(separator),
    "lower": lambda text: _string(text).lower(),
    "upper": lambda text: _string(text).upper(),
    "title": lambda text: _title(_string(text)),
    "pad": _pad,
    "truncate": _truncate,
    # Go's built-ins
    "println": lambda *values: " ".join(go_text(value) for value in values) + "\n",
    "print": _print,
    "printf": _printf,
    "len": lambda value: len(value),
    "index": _index,
    "eq": lambda a, *others: any(a == other for other in others),
    "ne": lambda a, b: a != b,
    "lt": _compare(lambda a, b: a < b),
    "le": _compare(lambda a, b: a <= b),
    "gt": _compare(lambda a, b: a > b),
    "ge": _compare(lambda a, b: a >= b),
    "and": _and,
    "or": _or,
    "not": lambda value: not _truth(value),
}
#: In a table's title line docker's functions return their argument (templates.HeaderFunctions).
HEADER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "json": lambda value: value,
    "join": lambda value, *_: value,
    "split": lambda value, *_: value,
    "lower": lambda value: value,
    "upper": lambda value: value,
    "title": lambda value: value,
    "pad": lambda value, *_: value,
    "truncate": lambda value, *_: value,
}
#: Go's other built-ins: known, but refused with a clear message.
_GO_FUNCTIONS = {"slice", "html", "js", "urlquery", "call"}
