"""The stack file: written and removed by its owner, ignored when stale, and read by the CLI in
the order flag > environment > stack file > default (consume included)."""

from __future__ import annotations

import os
import subprocess
import sys

from services import stackfile
from tests.harness import Stack
from workers.settings import Settings


def _settings(tmp_path, **kw) -> Settings:
    return Settings(data_dir=tmp_path / ".wiredesk", **kw)


def test_written_owner_only_and_removed_only_by_its_writer(tmp_path) -> None:
    settings = _settings(tmp_path)
    path = stackfile.write(settings, api_url="http://127.0.0.1:9001", redis_url="redis://x/0")
    assert path.stat().st_mode & 0o777 == 0o600
    info = stackfile.read(settings)
    assert info is not None and info.pid == os.getpid() and info.alive
    assert info.editor_token == "dev-editor-token" and info.feed_tokens["ap"] == "dev-ap-token"
    stackfile.remove(path, pid=os.getpid() + 1)  # another run's stop leaves it
    assert path.exists()
    stackfile.remove(path)
    assert not path.exists()


def test_a_file_whose_runner_died_is_ignored_with_a_note(tmp_path, capsys) -> None:
    settings = _settings(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stackfile.write(settings, api_url="http://a", redis_url="redis://b/0", pid=int(dead.stdout))
    assert stackfile.running(settings) is None
    assert "has stopped" in capsys.readouterr().err


def test_precedence_flag_env_stack_default(tmp_path, monkeypatch) -> None:
    # A shell with nothing set (CI's second pass sets REDIS_URL for every test).
    for name in ("WIREDESK_API_URL", "WIREDESK_EDITOR_TOKEN", "REDIS_URL", "WIREDESK_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    settings = _settings(tmp_path)
    stackfile.write(settings, api_url="http://stack:1", redis_url="redis://stack/0")
    stack = stackfile.read(settings)
    assert stackfile.api_url(None, settings, None) == "http://127.0.0.1:8000"
    assert stackfile.api_url(None, settings, stack) == "http://stack:1"
    monkeypatch.setenv("WIREDESK_API_URL", "http://env:2")
    assert stackfile.api_url(None, settings, stack) == "http://env:2"
    assert stackfile.api_url("http://flag:3", settings, stack) == "http://flag:3"
    # Redis and prefix: the stack's unless the environment names them.
    assert stackfile.settings_for(settings, stack).redis_url == "redis://stack/0"
    named = _settings(tmp_path, redis_url="redis://env/0", key_prefix="mine")
    assert stackfile.settings_for(named, stack).redis_url == "redis://env/0"
    assert stackfile.settings_for(named, stack).key_prefix == "mine"
    # Tokens: configured ones (the environment's) beat the stack's.
    custom = stack.__class__(**{**stack.__dict__, "editor_token": "from-stack"})
    assert stackfile.editor_token(None, settings, custom) == "from-stack"
    assert (
        stackfile.editor_token(None, _settings(tmp_path, editor_tokens=["e" * 16]), custom)
        == "e" * 16
    )
    monkeypatch.setenv("WIREDESK_EDITOR_TOKEN", "env-token")
    assert stackfile.editor_token(None, settings, custom) == "env-token"
    assert stackfile.editor_token("flag", settings, custom) == "flag"


def _cli_env(stack: Stack, data_dir) -> dict[str, str]:
    """A shell with no REDIS_URL and no API address: only the stack file says where to go."""
    env = {k: v for k, v in stack.env.items() if k not in ("REDIS_URL", "WIREDESK_KEY_PREFIX")}
    env.pop("WIREDESK_API_URL", None)
    return {**env, "WIREDESK_DATA_DIR": str(data_dir)}


def test_the_cli_and_consume_find_the_stack_through_the_file(stack: Stack, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path / ".wiredesk", key_prefix=stack.prefix)
    path = stackfile.write(settings, api_url=stack.api_url, redis_url=stack.redis_url)
    env = _cli_env(stack, settings.data_dir)
    run = lambda *a: subprocess.run([sys.executable, "-m", "services.cli", *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    listed = run("stories", "--q", "nothingmatchesthisword")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "no matches"
    lag = run("consume", "--group", "stackfile", "--lag")
    assert lag.returncode == 0, lag.stderr
    assert '"group": "stackfile"' in lag.stdout
    # Without the file, consume says what it needs instead of guessing.
    path.unlink()
    missing = run("consume", "--group", "stackfile", "--lag")
    assert missing.returncode == 2 and "REDIS_URL" in missing.stderr
