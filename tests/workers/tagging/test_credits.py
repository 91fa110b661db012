"""Staff credits, contact lines and agency sign-offs are no tags (invented copy, agency styles)."""

from schemas import TagType
from workers.tagging import tag_story

from .conftest import story_from


def _names(story, type_):
    return {t.name for t in tag_story(story) if t.type == type_}


def test_reuters_credit_line_names_no_people_and_no_desk_city():
    story = story_from(
        "KYIV (Reuters) - Drones struck a power plant in Kharkiv overnight, regional governor "
        "Serhiy Melnyk said on Thursday.\n\n"
        "(Reporting by Olena Kovalenko; Writing by Dmitry Orlov in Moscow; "
        "Editing by Gareth Jonsson)"
    )
    people = _names(story, TagType.person)
    places = _names(story, TagType.place)
    assert "Serhiy Melnyk" in people
    assert not people & {"Olena Kovalenko", "Dmitry Orlov", "Gareth Jonsson"}
    assert "Moscow" not in places
    assert {"Kyiv", "Kharkiv"} <= places


def test_ap_contributor_line_byline_paragraph_and_follow_line():
    story = story_from(
        "Storm floods farm town\n\nBy HANNAH COLLIER\n\n"
        "ATLANTA (AP) — Farmers near Savannah lost crops, said Jordan Ellery, a spokesman for "
        "the Georgia Farm Bureau.\n\n___\n\n"
        "Associated Press writer Tomas Reyes in Washington contributed to this report.\n\n"
        "Follow Ryan Kowalski on X at https://x.com/example"
    )
    people = _names(story, TagType.person)
    assert "Jordan Ellery" in people
    assert not people & {"Hannah Collier", "Tomas Reyes", "Ryan Kowalski", "HANNAH COLLIER"}
    assert "Washington" not in _names(story, TagType.place)


def test_contact_line_and_signatures_are_masked():
    story = story_from(
        "Hamburg (dpa) - The port authority's director Jens Kuhlmann said traffic fell.\n\n"
        "Contact: Jana Wolff, +49 40 4113 2345, wolff.jana@example.com\n\n"
        "dpa mw yyzz n1 fo"
    )
    people = _names(story, TagType.person)
    assert "Jens Kuhlmann" in people
    assert "Jana Wolff" not in people


def test_agency_is_no_organisation_unless_the_story_is_about_it():
    credit = story_from("PARIS (AFP) - The mayor told AFP the streets were flooded.")
    assert "Agence France-Presse" not in _names(credit, TagType.organisation)
    about = story_from(
        "AP wins two Pulitzer Prizes\n\nNEW YORK (AP) — The Associated Press won two prizes "
        "on Monday, the AP said."
    )
    assert "Associated Press" in _names(about, TagType.organisation)
