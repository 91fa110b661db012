"""The feeds file: a good one loads with defaults filled in; each mistake is refused with a
message naming the feed and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.pollers.config import FeedConfigError, load_feeds

ROOT = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WDTEST_FEED_TOKEN", "s3cret")
    feeds = load_feeds(
        write(
            tmp_path,
            """
            [defaults]
            timeout = 5
            max_backoff = 120

            [feeds.world]
            kind = "rss"
            url = "https://wire.example.com/world.rss"

            [feeds.api]
            kind = "json"
            url = "http://127.0.0.1:9/items"
            interval = 15
            max_backoff = 30
            token_env = "WDTEST_FEED_TOKEN"
            headers = { "X-Desk" = "night" }

            [feeds.drop]
            kind = "folder"
            path = "incoming"
            format = "nitf"
            """,
        ),
        max_bytes=5000,
    )
    world, api, drop = feeds
    assert (world.name, world.kind, world.format, world.interval) == ("world", "rss", "rss", 60.0)
    assert (world.timeout, world.max_backoff, world.max_bytes) == (5.0, 120.0, 5000)
    assert api.format == "ninjs" and api.interval == 15.0 and api.max_backoff == 30.0
    assert api.headers == {"X-Desk": "night", "Authorization": "Bearer s3cret"}
    assert drop.path == tmp_path / "incoming"
    assert drop.processed_dir == tmp_path / "incoming" / "processed"
    assert drop.error_dir == tmp_path / "incoming" / "error"
    assert drop.format == "nitf" and drop.interval == 2.0


def test_the_documented_example_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPA_API_TOKEN", "example")
    kinds = {f.kind for f in load_feeds(ROOT / "feeds.example.toml")}
    assert kinds == {"rss", "atom", "json", "folder"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[feeds.a]\nkind = 'rss'\n", "feed 'a': key 'url' is required"),
        ("[feeds.a]\nkind = 'gopher'\nurl = 'http://x/'\n", "feed 'a': key 'kind' must be one of"),
        ("[feeds.a]\nurl = 'http://x/'\n", "feed 'a': key 'kind' must be one of"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'ftp://x/f'\n", "feed 'a': key 'url' must be an http(s)"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\ninterval = 0\n", "feed 'a': key 'interval'"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\ntimeout = 'soon'\n", "key 'timeout'"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\nmax_backoff = -1\n", "key 'max_backoff'"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\nintervall = 5\n", "unknown key 'intervall'"),
        ("[feeds.a]\nkind = 'folder'\nurl = 'http://x/'\n", "unknown key 'url' for a folder"),
        ("[feeds.a]\nkind = 'folder'\n", "feed 'a': key 'path' is required"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\nformat = 'pdf'\n", "key 'format' must be"),
        ("[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\nheaders = 3\n", "key 'headers' must be"),
        (
            "[feeds.a]\nkind = 'json'\nurl = 'http://x/'\ntoken_env = 'WDTEST_UNSET_VAR'\n",
            "WDTEST_UNSET_VAR, which is not set",
        ),
        (
            "[feeds.a]\nkind = 'json'\nurl = 'http://x/'\ntoken = 't'\ntoken_env = 'X'\n",
            "exclude each other",
        ),
        ("[feeds.'bad name']\nkind = 'rss'\nurl = 'http://x/'\n", "feed 'bad name': a feed name"),
        (
            "[defaults]\nkind = 'rss'\n[feeds.a]\nkind = 'rss'\nurl = 'http://x/'\n",
            "[defaults] has unknown key 'kind'",
        ),
        ("[feed.a]\nkind = 'rss'\n", "unknown top-level key 'feed'"),
        ("", "no feeds"),
        ("[feeds.a\n", "not valid TOML"),
    ],
)
def test_mistakes_name_the_feed_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FeedConfigError) as caught:
        load_feeds(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(FeedConfigError, match="cannot read the feeds file"):
        load_feeds(tmp_path / "nope.toml")
