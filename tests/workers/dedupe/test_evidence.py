"""The evidence beside the text: names, figures and anchors, pure."""

from __future__ import annotations

from workers.dedupe import content_tokens, shingle_hashes
from workers.dedupe.evidence import _h16, anchors, evidence


def _values(packed: bytes) -> set[int]:
    return {int.from_bytes(packed[i : i + 2], "big") for i in range(0, len(packed), 2)}


def test_names_are_capitalised_words_not_openers_credits_or_calendar_words() -> None:
    found = evidence(
        [
            "Lisbon's tram drivers walked out on Thursday, the operator Carris said.",
            "However, union leader Rui Matos said talks with Carris would resume in May.",
            "(Reporting by Lena Hart; Editing by Tom Quill)",
        ]
    )
    names = _values(found.names)
    assert {_h16("lisbon"), _h16("carris"), _h16("rui"), _h16("matos")} <= names
    assert _h16("thursday") not in names and _h16("may") not in names
    assert _h16("hart") not in names and _h16("quill") not in names  # the desk's credit
    assert _h16("however") not in names  # a common word opening the sentence


def test_figures_are_the_numbers_printed() -> None:
    found = evidence(["Net income rose to $10.9 million, or 36 cents a share, up 4.5%."])
    assert _values(found.figures) == {_h16("10.9"), _h16("36"), _h16("4.5%")}


def test_anchors_are_a_quarter_of_the_shingles_and_a_story_holds_a_shorter_ones() -> None:
    short = "Floodwater breached a levee on the Cedar River early on Monday, officials said."
    long = short + " About 2,000 homes were evacuated and shelters opened at two schools."
    a = set(anchors(shingle_hashes(content_tokens([short]))))
    b = set(anchors(shingle_hashes(content_tokens([long]))))
    assert a and a <= b
    assert all(not int.from_bytes(x, "big") & 3 for x in a)
