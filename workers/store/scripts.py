"""Lua scripts called with named arguments, checked against their callers when loaded.

Each script has one dataclass (a ``ScriptCall``) whose fields are its keys and arguments, in
order, marked with ``key()`` or ``arg()``; one field of each kind may be ``many=True`` (a
variable tail, such as a story's term indexes), and comes last in its kind. The loader
prefixes the script with one line that names them, so the script reads ``KEY.guard`` and
``ARG.ttl`` instead of ``KEYS[1]`` and ``ARGV[1]``, and ``KEY.terms`` as a list.

At load it checks both sides: every ``KEY.x`` and ``ARG.x`` the script reads is a field of
its call, every field is read, and the script touches no ``KEYS[n]`` or ``ARGV[n]`` of its
own. A call and a script that disagree fail when the store is made, not on some story.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any, ClassVar, Generic, TypeVar

import redis

__all__ = ["ScriptCall", "ScriptContractError", "StoreScript", "arg", "check_script", "key"]

_USES = re.compile(r"\b(KEY|ARG)\.([A-Za-z_]\w*)")
_NUMBERED = re.compile(r"\b(?:KEYS|ARGV)\s*\[")
# A Lua comment, to the end of its line (the scripts keep no '--' inside strings).
_COMMENT = re.compile(r"--[^\n]*")


class ScriptContractError(RuntimeError):
    """A script and its call dataclass disagree (a bug in the code, found at load)."""


def key(*, many: bool = False) -> Any:
    """A field that is a Redis key (``KEYS``), or with ``many`` a tail of keys."""
    return dataclasses.field(metadata={"redis": "key", "many": many})


def arg(*, many: bool = False) -> Any:
    """A field that is an argument (``ARGV``), or with ``many`` a tail of arguments."""
    return dataclasses.field(metadata={"redis": "arg", "many": many})


@dataclasses.dataclass(frozen=True, kw_only=True)
class ScriptCall:
    """Base of the call dataclasses; ``script`` names the Lua file beside the module."""

    script: ClassVar[str]


def _encode(value: Any) -> Any:
    """Arguments as Redis takes them: flags as '1'/'0', absent values as '', floats exact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return value


class _Layout:
    """The fields of a call, split into keys and arguments, each with an optional tail."""

    def __init__(self, call_type: type[ScriptCall]):
        self.keys: list[str] = []
        self.args: list[str] = []
        self.many: dict[str, str | None] = {"key": None, "arg": None}
        for f in dataclasses.fields(call_type):
            kind = f.metadata.get("redis")
            if kind not in ("key", "arg"):
                raise ScriptContractError(
                    f"{call_type.__name__}.{f.name} is neither key() nor arg()"
                )
            if self.many[kind] is not None:
                raise ScriptContractError(
                    f"{call_type.__name__}.{f.name} follows the {kind} tail {self.many[kind]}"
                )
            if f.metadata["many"]:
                self.many[kind] = f.name
            else:
                (self.keys if kind == "key" else self.args).append(f.name)

    def prelude(self) -> str:
        """One Lua line (so the script's own line numbers shift by one only)."""
        keys = ", ".join(f"{n} = KEYS[{i}]" for i, n in enumerate(self.keys, 1))
        args = ", ".join(f"{n} = ARGV[{i}]" for i, n in enumerate(self.args, 1))
        parts = [f"local KEY = {{{keys}}}", f"local ARG = {{{args}}}"]
        for kind, table, source, fixed in (
            ("key", "KEY", "KEYS", self.keys),
            ("arg", "ARG", "ARGV", self.args),
        ):
            name = self.many[kind]
            if name:
                parts.append(
                    f"{table}.{name} = {{}} for i = {len(fixed) + 1}, #{source} do "
                    f"{table}.{name}[#{table}.{name} + 1] = {source}[i] end"
                )
        return "; ".join(parts) + "\n"

    def names(self, kind: str) -> set[str]:
        fixed = self.keys if kind == "key" else self.args
        tail = self.many[kind]
        return set(fixed) | ({tail} if tail else set())


def check_script(name: str, source: str, call_type: type[ScriptCall]) -> _Layout:
    """The call's layout, once the script is known to read exactly its fields."""
    layout = _Layout(call_type)
    source = _COMMENT.sub("", source)  # a name in a comment is not a use
    if _NUMBERED.search(source):
        raise ScriptContractError(f"{name} reads KEYS[n] or ARGV[n]; use KEY.name and ARG.name")
    used: dict[str, set[str]] = {"key": set(), "arg": set()}
    for table, field_name in _USES.findall(source):
        used["key" if table == "KEY" else "arg"].add(field_name)
    for kind in ("key", "arg"):
        declared = layout.names(kind)
        unknown, unused = used[kind] - declared, declared - used[kind]
        if unknown or unused:
            raise ScriptContractError(
                f"{name} and {call_type.__name__} disagree on {kind}s: "
                f"read but not given {sorted(unknown)}, given but not read {sorted(unused)}"
            )
    return layout


C = TypeVar("C", bound=ScriptCall)


class StoreScript(Generic[C]):
    """One Lua script of ``workers/store``, bound to its call dataclass."""

    def __init__(self, client: redis.Redis, call_type: type[C], *, source: str | None = None):
        """``source`` stands in for the file (tests of the loader itself)."""
        if source is None:
            source = resources.files(__package__).joinpath(call_type.script).read_text()
        self._layout = check_script(call_type.script, source, call_type)
        self._script = client.register_script(self._layout.prelude() + source)

    def bind(self, call: C) -> tuple[list[Any], list[Any]]:
        """The KEYS and ARGV lists of a call, in the script's order."""
        layout = self._layout
        keys = [getattr(call, n) for n in layout.keys]
        args = [_encode(getattr(call, n)) for n in layout.args]
        if layout.many["key"]:
            keys += list(_tail(call, layout.many["key"]))
        if layout.many["arg"]:
            args += [_encode(v) for v in _tail(call, layout.many["arg"])]
        return keys, args

    def __call__(self, call: C, *, client: Any = None) -> Any:
        """Run the script (queued on ``client`` when that is a pipeline)."""
        keys, args = self.bind(call)
        return self._script(keys=keys, args=args, client=client)


def _tail(call: ScriptCall, name: str | None) -> Sequence[Any]:
    return getattr(call, name) if name else ()
