"""Near-duplicate evidence beside the text, through the real dedupe stage on a real Redis or
Valkey: boilerplate a feed repeats, template look-alikes, and a summary holding a short item."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import Verdict
from workers.formats import ParsedItem
from workers.settings import Settings
from workers.stages.dedupe import dedupe
from workers.stages.normalise import build_story
from workers.store import Store

# A press-release service's standing paragraphs, sent under every release.
STANDING = [
    "About the service: this release was distributed by a wire service for issuers of news "
    "releases. The issuer is solely responsible for its content, accuracy and originality, "
    "and readers should contact the issuer directly with any questions about the release.",
    "Forward-looking statements in this release involve risks and uncertainties that could "
    "cause actual results to differ materially from those expressed or implied, including "
    "market conditions, regulation and other factors described in the issuer's filings.",
]
WORDS = str.split(
    "harbour orchard violin glacier lantern meadow copper saddle thistle canyon pepper "
    "marble falcon ribbon quarry walnut beacon timber cobalt prairie anchor velvet summit"
)


def release(receipt: str, n: int) -> list[str]:
    """A release of its own: two sentences of words no other release uses, then the standing
    paragraphs."""
    own = " ".join(f"{WORDS[(n + i) % len(WORDS)]}{n}" for i in range(24))
    return [f"The issuer announced {own}.", *STANDING]


def run(store: Store, settings: Settings, receipt: str, body: list[str], **fields):
    parsed = ParsedItem(format="plaintext", body=body, agency="PRN", **fields)
    story = build_story(parsed, receipt_id=receipt, feed="prn", received_at=datetime.now(UTC))
    return dedupe(story, store=store, settings=settings)


def test_boilerplate_a_feed_repeats_cannot_carry_a_match(store, settings):
    # A band value the standing copy decides turns up in about half the releases: forty
    # releases put it past the count that makes it boilerplate.
    for n in range(40):
        run(store, settings, f"rc_{n}", release(f"rc_{n}", n))
    later = run(store, settings, "rc_later", release("rc_later", 99))
    assert later.verdict.verdict is Verdict.new, later.verdict.reason


def test_the_same_release_again_in_other_words_still_matches(store, settings):
    for n in range(40):
        run(store, settings, f"rc_{n}", release(f"rc_{n}", n))
    again = release("rc_again", 5)
    again[0] = again[0].replace("The issuer announced", "The issuer said it had announced")
    found = run(store, settings, "rc_again", again)
    assert found.verdict.verdict in (Verdict.near_duplicate, Verdict.resend), found.verdict.reason


def test_a_summary_holding_a_short_earlier_item_is_its_near_duplicate(store, settings):
    flash = ["Floodwater breached a levee on the Cedar River early on Monday, forcing the "
             "evacuation of about 2,000 homes, officials said."]  # fmt: skip
    summary = [
        flash[0],
        "The National Weather Service said the river would crest on Tuesday afternoon, two "
        "feet above the record set in 2008, and warned of more rain later in the week.",
        "Shelters opened at three schools and the Red Cross said about 300 people had spent "
        "the night there, with more expected as the water kept rising.",
        "The governor declared a disaster emergency for four counties and asked for federal "
        "help with sandbags, pumps and temporary housing for displaced families.",
    ]
    first = run(store, settings, "rc_flash", flash)
    later = run(store, settings, "rc_summary", summary)
    assert later.verdict.verdict is Verdict.near_duplicate
    assert later.verdict.of_story == first.story_id
    assert "short item" in later.verdict.reason


def test_template_copy_around_other_names_and_figures_is_two_stories(store, settings):
    def earnings(name: str, city: str, figures: tuple[str, ...]) -> list[str]:
        a, b, c, d, e = figures
        return [
            f"{name} Corp on Tuesday reported first-quarter net income of ${a} million, after "
            f"reporting a loss in the same period a year earlier. The {city}-based company "
            f"said it had profit of {b} cents per share.",
            f"The average estimate of four analysts surveyed was for earnings of {c} cents per "
            f"share. The company posted revenue of ${d} million in the period, also topping "
            f"forecasts. Shares of {name} have risen {e} percent since the beginning of the year.",
        ]

    run(store, settings, "rc_e1", earnings("Halvard", "Denver", ("10.2", "36", "31", "88", "12")))
    other = run(
        store, settings, "rc_e2", earnings("Quenby", "Tulsa", ("45.5", "71", "64", "212", "7"))
    )
    assert other.verdict.verdict is Verdict.new
    assert "look-alike" in other.verdict.reason
