"""The script loader: named keys and arguments reach Lua in order, tails included, and a
script that disagrees with its call fails when it is loaded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import redis

from workers.store import Store
from workers.store.scripts import ScriptCall, ScriptContractError, StoreScript, arg, key


@dataclass(frozen=True, kw_only=True)
class EchoCall(ScriptCall):
    script = "echo.lua"
    first: str = key()
    second: str = key()
    rest: list[str] = key(many=True)
    flag: bool = arg()
    ratio: float = arg()
    nothing: str | None = arg()
    words: list[str] = arg(many=True)


ECHO = """
local out = {KEY.first, KEY.second, tostring(#KEY.rest), ARG.flag, ARG.ratio, ARG.nothing}
for _, k in ipairs(KEY.rest) do out[#out + 1] = k end
for _, w in ipairs(ARG.words) do out[#out + 1] = w end
return out
"""


def test_named_fields_reach_the_script_in_order(client: redis.Redis) -> None:
    echo = StoreScript(client, EchoCall, source=ECHO)
    call = EchoCall(first="k1", second="k2", rest=["k3", "k4"], flag=True, ratio=0.25,
                    nothing=None, words=["a", "b", "c"])  # fmt: skip
    assert echo.bind(call) == (["k1", "k2", "k3", "k4"], ["1", "0.25", "", "a", "b", "c"])
    got = [v.decode() for v in echo(call)]
    assert got == ["k1", "k2", "2", "1", "0.25", "", "k3", "k4", "a", "b", "c"]


def test_empty_tails_are_empty_lists(client: redis.Redis) -> None:
    echo = StoreScript(client, EchoCall, source=ECHO)
    call = EchoCall(first="k1", second="k2", rest=[], flag=False, ratio=1.0, nothing="x", words=[])
    assert [v.decode() for v in echo(call)] == ["k1", "k2", "0", "0", "1.0", "x"]


def test_a_name_the_call_does_not_give_fails_at_load(client: redis.Redis) -> None:
    with pytest.raises(ScriptContractError, match=r"read but not given \['flags'\]"):
        StoreScript(client, EchoCall, source=ECHO.replace("ARG.flag,", "ARG.flags,"))


def test_a_field_the_script_never_reads_fails_at_load(client: redis.Redis) -> None:
    source = ECHO.replace("ARG.ratio,", "")
    with pytest.raises(ScriptContractError, match=r"given but not read \['ratio'\]"):
        StoreScript(client, EchoCall, source=source)


def test_a_name_only_in_a_comment_is_not_a_use(client: redis.Redis) -> None:
    source = ECHO.replace("ARG.nothing}", "'-'}  -- ARG.nothing is documented here only")
    with pytest.raises(ScriptContractError, match=r"given but not read \['nothing'\]"):
        StoreScript(client, EchoCall, source=source)


def test_numbered_keys_are_refused(client: redis.Redis) -> None:
    with pytest.raises(ScriptContractError, match="KEYS"):
        StoreScript(client, EchoCall, source=ECHO + "\nreturn KEYS[1]\n")


def test_a_tail_must_come_last_in_its_kind() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Misplaced(ScriptCall):
        script = "x.lua"
        many: list[str] = key(many=True)
        after: str = key()

    with pytest.raises(ScriptContractError, match="follows the key tail"):
        StoreScript(redis.Redis(), Misplaced, source="return KEY.many[1] .. KEY.after")


def test_every_shipped_script_agrees_with_its_call(store: Store) -> None:
    # Making a Store loads every script and checks it; a disagreement would have raised.
    store.check_scripts()
    assert store.ping()
