"""Versions linked the way agencies signal them, through the real dedupe stage on a real Redis
or Valkey: an item naming the one it replaces under another guid, opaque version numbers
ordered by creation time, and ANPA/IPTC 7901 takes tied by agency and slug."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import PubStatus, Signal, Story, Verdict
from workers.formats import ParsedItem
from workers.stages.dedupe import dedupe
from workers.stages.normalise import build_story

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

LEDE = (
    "Floodwater breached a levee on the Cedar River early on Monday, forcing the evacuation "
    "of about 2,000 homes in the eastern part of the city, county officials said."
)
MORE = (
    "The National Weather Service said the river would crest on Tuesday afternoon, two feet "
    "above the record set in 2008, and warned of more rain later in the week."
)
REWRITE = (
    "Crews worked through the night to shore up a second levee after the Cedar River broke "
    "through the first one, officials said, as shelters filled with families from low-lying "
    "streets and schools closed for the rest of the week."
)


def item(receipt: str, body: list[str], **fields) -> Story:
    parsed = ParsedItem(format=fields.pop("format", "newsml_g2"), body=body, **fields)
    return build_story(parsed, receipt_id=receipt, feed="wire", received_at=datetime.now(UTC))


def test_an_item_naming_its_predecessor_under_another_guid_is_its_update(store, settings):
    first = dedupe(
        item("rc_1", [LEDE], agency="STT", item_id="urn:stt:100-v1", version=1),
        store=store, settings=settings,
    )  # fmt: skip
    second = dedupe(
        item("rc_2", [REWRITE, MORE], agency="STT", item_id="urn:stt:100", version=2,
             signals=[Signal.update], replaces=["urn:stt:100-v1"]),
        store=store, settings=settings,
    )  # fmt: skip
    assert first.verdict.verdict is Verdict.new
    assert second.verdict.verdict is Verdict.update and second.verdict.shown
    assert second.verdict.of_story == first.story_id
    assert second.story_id == first.story_id  # published as the same story's newest version
    assert "names item" in second.verdict.reason
    # Later versions under the new guid follow it onto the same chain, and so does its kill.
    third = dedupe(
        item("rc_3", [REWRITE, MORE, LEDE], agency="STT", item_id="urn:stt:100", version=3),
        store=store, settings=settings,
    )  # fmt: skip
    assert third.verdict.verdict is Verdict.update and third.story_id == first.story_id
    kill = dedupe(
        item("rc_4", [], headline="Withdrawn", agency="STT", item_id="urn:stt:100", version=4,
             status=PubStatus.canceled),
        store=store, settings=settings,
    )  # fmt: skip
    assert kill.verdict.verdict is Verdict.kill and kill.verdict.of_story == first.story_id


def test_a_link_to_an_item_the_window_never_saw_is_a_new_story(store, settings):
    alone = dedupe(
        item("rc_5", [LEDE, MORE], agency="STT", item_id="urn:stt:200", version=2,
             signals=[Signal.update], replaces=["urn:stt:199"]),
        store=store, settings=settings,
    )  # fmt: skip
    assert alone.verdict.verdict is Verdict.new
    assert Signal.update in alone.signals


def test_opaque_version_numbers_are_ordered_by_creation_time(store, settings):
    def reuters(receipt: str, version: int, minutes: int, body: list[str]) -> Story:
        return item(receipt, body, agency="Reuters", item_id="tag:reuters.com,0000:newsml_X1",
                    version=version, version_created=T0 + timedelta(minutes=minutes))  # fmt: skip

    dedupe(reuters("rc_a", 912345678, 0, [LEDE]), store=store, settings=settings)
    later = dedupe(reuters("rc_b", 104455667, 30, [LEDE, MORE]), store=store, settings=settings)
    late = dedupe(reuters("rc_c", 733221100, 10, [LEDE, REWRITE]), store=store, settings=settings)
    assert later.verdict.verdict is Verdict.update and later.verdict.shown
    assert late.verdict.verdict is Verdict.update and late.verdict.shown is False


def test_a_take_with_version_words_follows_the_take_with_its_slug(store, settings):
    first = dedupe(
        item("rc_t1", [LEDE], format="anpa1312", agency="AP", slugline="Iowa-Flooding"),
        store=store, settings=settings,
    )  # fmt: skip
    other = dedupe(
        item("rc_t2", [MORE], format="anpa1312", agency="AP", slugline="Texas-Drought"),
        store=store, settings=settings,
    )  # fmt: skip
    writethru = dedupe(
        item("rc_t3", [REWRITE, MORE], format="anpa1312", agency="AP", slugline="Iowa-Flooding",
             version=2, version_label="1stLd-Writethru", signals=[Signal.update]),
        store=store, settings=settings,
    )  # fmt: skip
    assert other.verdict.verdict is Verdict.new
    assert writethru.verdict.verdict is Verdict.update
    assert writethru.verdict.of_story == first.story_id == writethru.story_id
    assert "slug" in writethru.verdict.reason
    kill = dedupe(
        item("rc_t4", ["This story has been withdrawn."], format="anpa1312", agency="AP",
             slugline="Iowa-Flooding", version_label="Kill", signals=[Signal.kill],
             status=PubStatus.canceled),
        store=store, settings=settings,
    )  # fmt: skip
    assert kill.verdict.verdict is Verdict.kill and kill.verdict.of_story == first.story_id


OTHER = (
    "Lufthansa cancelled 40 flights at Frankfurt airport on Thursday because of a strike by "
    "ground staff, the union Verdi said, and warned of further walkouts in Munich next week."
)


def test_a_rewritten_take_under_the_slug_is_a_near_duplicate_another_story_is_not(store, settings):
    first = dedupe(
        item("rc_s1", [LEDE, MORE], format="iptc7901", agency="dpa", slugline="US/weather/Iowa"),
        store=store, settings=settings,
    )  # fmt: skip
    reused = dedupe(
        item("rc_s2", [OTHER], format="iptc7901", agency="dpa", slugline="US/weather/Iowa"),
        store=store, settings=settings,
    )  # fmt: skip
    take = dedupe(
        item("rc_s3", [REWRITE, MORE], format="iptc7901", agency="dpa",
             slugline="US/weather/Iowa/Cedar"),
        store=store, settings=settings,
    )  # fmt: skip
    assert reused.verdict.verdict is Verdict.new
    assert take.verdict.verdict is Verdict.near_duplicate
    assert take.verdict.of_story == first.story_id
    assert "another take" in take.verdict.reason


FERRY_PARAS = [
    "Hamburg's harbour ferries will switch to battery power from next spring, the city's "
    "transport operator said on Tuesday, making the port one of the first in Europe to run an "
    "electric passenger fleet.",
    "The operator said the first six of its 24 boats would be refitted over the winter, with "
    "the rest to follow by 2027.",
    '"Passengers will notice the quiet first," a spokeswoman said. "The crews have been asking '
    'for this for years."',
]


def test_the_same_item_in_an_agencys_json_and_its_7901_rendering_is_one_item(store, settings):
    import json

    from workers.stages.normalise import normalise

    html = "".join(f"<p>{p}</p>" for p in FERRY_PARAS)
    as_json = json.dumps({
        "format": "digitalwires@0.9.1", "type": "composite",
        "urn": "urn:newsml:dpa.com:20090101:260602-99-000377", "version": 1,
        "pubstatus": "usable", "language": "en", "urgency": 4,
        "headline": "Hamburg harbour ferries to run on batteries from next spring",
        "dateline": "Hamburg (dpa) - ", "creditline": "dpa",
        "article_html": f"<section class=\"main\">{html}</section>",
    }).encode()  # fmt: skip
    wrapped = "\r\n\r\n   ".join(FERRY_PARAS)
    as_7901 = (
        "\x01eca0412 4 i 178 ccccb   dpa 0377\r\n\r\nGermany-transport/\r\n"
        "\x02Hamburg harbour ferries to run on batteries from next spring =\r\n\r\n"
        f"   Hamburg (dpa) - {wrapped}\r\n\r\ndpa xx yy\r\n\x03021430 GMT Jun 26\r\n"
    ).encode()
    now = datetime.now(UTC)
    first = normalise(as_json, receipt_id="rc_json", feed="dpa", received_at=now)
    second = normalise(as_7901, receipt_id="rc_7901", feed="dpa", received_at=now)
    assert (first.format, second.format) == ("ninjs", "iptc7901")
    dedupe(first, store=store, settings=settings)
    again = dedupe(second, store=store, settings=settings)
    assert again.verdict.verdict is Verdict.resend, again.verdict.reason
    assert again.verdict.of_story == first.story_id
