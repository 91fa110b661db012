"""NewsML 1.2 (newsml_1_2): AFP, ANA-MPE, APA, EFE, ANP, SDA-ATS, Kyodo, TASS, Belga and
press-release shapes, revisions, statuses, instructions, envelope priority, splitting, charset
labels, media items and bad copy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from schemas import PubStatus, Signal, Subject
from workers.errors import EmptyStoryError, HostileInputError, ParseError
from workers.formats import detect
from workers.formats.newsml_1_2 import NewsML12, _domain_name
from workers.formats.newsml_g2 import NewsMLG2
from workers.formats.nitf import Nitf

from .samplefiles import normalised, read_sample

SAMPLES = Path(__file__).parent / "samples" / "newsml_1_2"
N12 = NewsML12()
ALL = sorted(p.name for p in SAMPLES.glob("*.xml"))


def raw(name: str) -> bytes:
    return read_sample("newsml_1_2", name)


def parse(name: str):
    return N12.parse(raw(name))


def _item(
    management: str = '<Status FormalName="Usable"/>',
    *,
    revision: str = '<RevisionId PreviousRevision="0" Update="N">1</RevisionId>',
    envelope: str = "",
    lines: str = "<HeadLine>H</HeadLine>",
    component: str = "",
    data: str = "<p>Body text.</p>",
) -> bytes:
    """A small NewsML document with the given parts, for one behaviour at a time."""
    return (
        f"<NewsML><NewsEnvelope><DateAndTime>20241112T090000Z</DateAndTime>{envelope}"
        "</NewsEnvelope><NewsItem><Identification><NewsIdentifier>"
        "<ProviderId>example.org</ProviderId><DateId>20241112</DateId>"
        f"<NewsItemId>N1</NewsItemId>{revision}</NewsIdentifier></Identification>"
        "<NewsManagement><ThisRevisionCreated>20241112T090000Z</ThisRevisionCreated>"
        f"{management}</NewsManagement><NewsComponent><NewsLines>{lines}</NewsLines>"
        f"{component}<ContentItem><MediaType FormalName='Text'/><DataContent>{data}"
        "</DataContent></ContentItem></NewsComponent></NewsItem></NewsML>"
    ).encode()


# ---- detection ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_every_sample_is_detected_as_newsml_1_2(name):
    assert detect(raw(name)).name == "newsml_1_2"


def test_sniff_is_specific():
    assert N12.sniff(raw("new-story.xml")) == 0.95
    assert N12.sniff(raw("bare-newsitem.xml")) == 0.9
    g2 = read_sample("newsml_g2", "new-story.xml")
    assert N12.sniff(g2) == 0.0
    assert N12.sniff(read_sample("nitf", "new-story.xml")) == 0.0
    assert N12.sniff(b"NewsML is a format. <NewsML> in prose.") == 0.0
    # The other XML formats do not claim NewsML 1.2 either.
    assert NewsMLG2().sniff(raw("new-story.xml")) == 0.0
    assert Nitf().sniff(raw("new-story.xml")) == 0.0


# ---- AFP, English, NITF body -------------------------------------------------------------


def test_afp_english_nitf_fields():
    item = parse("new-story.xml")
    assert item.format == "newsml_1_2"
    assert item.item_id == "urn:newsml:afp.com:20241112T081500Z:TX-PAR-QZK41"
    assert item.version == 1
    assert item.status is PubStatus.usable
    assert item.signals == []
    assert item.agency == "AFP"
    assert item.urgency == 4  # Urgency, not the envelope's Priority 3
    assert item.headline == "Norway widens Arctic seed vault to take in rare grain varieties"
    assert item.slugline == "Norway-seeds"  # SlugLine before NameLabel
    assert item.byline == "By Ingrid Solberg"
    assert item.dateline.place == "Oslo"
    assert item.dateline.date == date(2024, 11, 12)
    assert item.dateline.agency == "AFP"
    assert item.language == "en"
    assert item.keywords == ["Norway", "climate", "agriculture"]
    assert item.subjects == [
        Subject(scheme="subj", code="04000000"),
        Subject(scheme="subj", code="04001000"),
        Subject(scheme="subj", code="06005000"),
    ]
    assert item.first_created == datetime(2024, 11, 12, 8, 14, 55, tzinfo=UTC)
    assert item.version_created == datetime(2024, 11, 12, 8, 14, 55, tzinfo=UTC)
    assert item.date_hint == date(2024, 11, 12)
    assert len(item.body) == 4  # the desk's closing initials are a sign-off, not story
    assert item.body[0].startswith("Norway said on Tuesday")
    assert "sign-off: is/ab/jm" in item.notes


def test_afp_story_through_normalise():
    story = normalised(raw("new-story.xml"))
    assert story.format == "newsml_1_2"
    assert story.dateline.place == "Oslo"
    assert story.headline.startswith("Norway widens")
    assert story.body[0].startswith("Norway said on Tuesday")


def test_revision_shares_the_item_id_and_signals_an_update():
    first, second = parse("new-story.xml"), parse("revision.xml")
    assert second.item_id == first.item_id
    assert second.version == 2
    assert second.signals == [Signal.update]
    assert "instruction: Update" in second.notes
    assert second.version_created == datetime(2024, 11, 12, 10, 20, 10, tzinfo=UTC)
    assert normalised(raw("revision.xml")).story_id == normalised(raw("new-story.xml")).story_id


def test_previous_revision_alone_is_an_update_but_a_version_alone_is_not():
    replaced = N12.parse(_item(revision='<RevisionId PreviousRevision="2">3</RevisionId>'))
    assert replaced.version == 3
    assert replaced.signals == [Signal.update]
    bare = N12.parse(_item(revision="<RevisionId>3</RevisionId>"))
    assert bare.version == 3
    assert bare.signals == []


def test_update_only_revision_is_noted():
    item = N12.parse(_item(revision='<RevisionId PreviousRevision="1" Update="U">2</RevisionId>'))
    assert item.signals == [Signal.update]
    assert any("Update elements" in n for n in item.notes)


def test_canceled_with_kill_instruction():
    item = parse("canceled.xml")
    assert item.status is PubStatus.canceled
    assert item.signals == [Signal.kill]
    assert item.version == 3
    assert item.urgency == 1
    assert item.item_id == parse("new-story.xml").item_id


def test_rectification_is_a_correction_not_just_an_update():
    item = parse("rectification.xml")
    assert item.signals == [Signal.correction]
    assert item.version == 2
    assert item.item_id == parse("french-latin1-label.xml").item_id


@pytest.mark.parametrize(
    ("instruction", "status", "signals"),
    [
        ("Correction", PubStatus.usable, [Signal.correction]),
        ("Rectify", PubStatus.usable, [Signal.correction]),
        ("Kill", PubStatus.canceled, [Signal.kill]),
        ("Delete", PubStatus.canceled, [Signal.kill]),
        ("Withdrawal", PubStatus.canceled, [Signal.kill]),
        ("Update", PubStatus.usable, [Signal.update]),
        ("Replace", PubStatus.usable, [Signal.update]),
        ("Substitution", PubStatus.usable, [Signal.update]),
        ("LiftEmbargo", PubStatus.usable, []),
    ],
)
def test_instruction_vocabulary(instruction, status, signals):
    item = N12.parse(
        _item(f'<Status FormalName="Usable"/><Instruction FormalName="{instruction}"/>')
    )
    assert item.status is status
    assert item.signals == signals
    assert f"instruction: {instruction}" in item.notes


@pytest.mark.parametrize(
    ("status_name", "status", "signals"),
    [
        ("Usable", PubStatus.usable, []),
        ("Withheld", PubStatus.withheld, []),
        ("Canceled", PubStatus.canceled, [Signal.kill]),
        ("Cancelled", PubStatus.canceled, [Signal.kill]),
        ("Embargoed", PubStatus.embargoed, []),
    ],
)
def test_each_status(status_name, status, signals):
    item = N12.parse(_item(f'<Status FormalName="{status_name}"/>'))
    assert item.status is status
    assert item.signals == signals


def test_unknown_status_is_noted():
    item = N12.parse(_item('<Status FormalName="Draft"/>'))
    assert item.status is PubStatus.usable
    assert any("draft" in n for n in item.notes)


def test_embargo_in_the_future_holds_the_story():
    item = parse("embargoed.xml")
    assert item.status is PubStatus.embargoed
    assert item.embargoed_until == datetime(2099, 12, 31, 23, tzinfo=UTC)


def test_embargo_already_past_is_usable_but_carried():
    change = (
        '<Status FormalName="Embargoed"/><StatusWillChange><FutureStatus FormalName="Usable"/>'
        "<DateAndTime>20200101T000000Z</DateAndTime></StatusWillChange>"
    )
    item = N12.parse(_item(change))
    assert item.status is PubStatus.usable
    assert item.embargoed_until == datetime(2020, 1, 1, tzinfo=UTC)
    assert any("embargo lifted" in n for n in item.notes)


# ---- urgency and the envelope Priority ---------------------------------------------------


def test_envelope_priority_when_there_is_no_urgency():
    assert parse("priority-only.xml").urgency == 2
    assert N12.parse(_item(envelope='<Priority FormalName="6"/>')).urgency == 6


def test_urgency_wins_over_priority_and_a_bad_one_falls_back():
    both = _item('<Urgency FormalName="2"/>', envelope='<Priority FormalName="6"/>')
    assert N12.parse(both).urgency == 2
    bad = N12.parse(_item('<Urgency FormalName="0"/>', envelope='<Priority FormalName="6"/>'))
    assert bad.urgency == 6
    assert any("Urgency '0'" in n for n in bad.notes)
    assert N12.parse(_item()).urgency is None


# ---- ANA-MPE: CDATA, HTML body, Greek credit ---------------------------------------------


def test_ana_cdata_headline_and_html_body():
    item = parse("ana-cdata.xml")
    assert item.headline == "Island ferry bookings up 12 pct in October"
    assert item.body == [
        "Bookings on ferry routes to the islands rose by 12 pct in October, the shipping "
        "ministry said on Tuesday.",
        "Passenger numbers reached 1,204,330 in the month, against 1,075,295 a year earlier, "
        "with the strongest growth on routes to the Dodecanese & the Cyclades.",
    ]
    # The closing copyright notice is rights information, not story.
    assert any(n.startswith("rights: © ΑΠΕ-ΜΠΕ") for n in item.notes)
    assert any(n.startswith("subheadline: Bookings on ferry") for n in item.notes)


def test_ana_metadata():
    item = parse("ana-cdata.xml")
    # Credited in Greek; the provider's Latin name is the one its services share.
    assert item.agency == "ANA-MPE"
    assert item.item_id == "urn:newsml:ana-mpe.gr:20241112:20481175"
    assert item.urgency == 5  # the envelope Priority
    assert item.language == "en"  # Language FormalName="EN"
    assert item.slugline is None  # an empty NameLabel is no slug
    assert item.subjects == [Subject(scheme="subj", code="04006000", name="Tourism and leisure")]
    # A DateLine that is only a date has no place; the metadata City is not a dateline.
    assert item.dateline.place is None
    assert item.dateline.text == "12/11/2024"


def test_ana_through_normalise():
    story = normalised(raw("ana-cdata.xml"))
    assert story.agency == "ANA-MPE"
    assert story.language == "en"
    assert story.dateline is None or story.dateline.place is None


# ---- AFP, French, declared Latin-1 but UTF-8 ---------------------------------------------


def test_french_declared_latin1_but_utf8():
    item = parse("french-latin1-label.xml")
    assert item.headline == (
        "École rurale: le car scolaire électrique arrive dans les vallées du Jura"
    )
    assert "trajet — à l’aller" in item.body[0]
    assert item.body[1].startswith("« Œuvrer")
    assert any("declared iso-8859-1 but the bytes are UTF-8" in n for n in item.notes)


def test_french_fields_bare_paragraphs_in_a_nested_component():
    item = parse("french-latin1-label.xml")
    assert item.agency == "AFP"
    assert item.language == "fr"
    assert item.slugline == "éducation-régions-transports"
    assert item.dateline.place == "Lons-le-Saunier"
    assert item.dateline.date == date(2024, 11, 12)
    assert item.urgency is None
    assert len(item.body) == 2


def test_real_latin1_copy_stays_latin1():
    data = (
        '<?xml version="1.0" encoding="iso-8859-1"?>'
        "<NewsItem><NewsComponent><NewsLines><HeadLine>Caf\xe9 \x96 cr\xe8me</HeadLine>"
        "</NewsLines></NewsComponent></NewsItem>"
    ).encode("latin-1")
    item = N12.parse(data)
    assert item.headline == "Café – crème"
    assert not any("UTF-8" in n for n in item.notes)


# ---- several items, split at the door ----------------------------------------------------


def test_split_gives_one_document_per_item_with_the_envelope():
    parts = N12.split(raw("message-3.xml"))
    assert len(parts) == 3
    items = [N12.parse(p) for p in parts]
    assert [i.item_id for i in items] == [
        "urn:newsml:apa.at:20241112:APA0112",
        "urn:newsml:apa.at:20241112:APA0113",
        "urn:newsml:apa.at:20241112:APA0114",
    ]
    # The envelope Priority travels with every item; an item's own Urgency wins.
    assert [i.urgency for i in items] == [4, 2, 4]
    assert [i.agency for i in items] == ["APA", "APA", "APA"]
    # The third item declares no Language: the document's xml:lang still applies.
    assert [i.language for i in items] == ["de", "de", "de"]
    assert items[0].body == [
        "Die neue Seilbahn im Zillertal hat am Dienstag den Betrieb aufgenommen.",
        "Die Kabinen fassen jeweils zehn Personen.",
    ]
    assert items[0].slugline == "Verkehr/Tourismus/Tirol"
    assert all(detect(p).name == "newsml_1_2" for p in parts)


def test_single_item_and_broken_copy_pass_whole():
    assert N12.split(raw("new-story.xml")) == [raw("new-story.xml")]
    broken = b"<NewsML><NewsItem><NewsItem></NewsML>"
    assert N12.split(broken) == [broken]


def test_parse_refuses_several_items_or_none():
    with pytest.raises(ParseError, match="3 NewsItems"):
        N12.parse(raw("message-3.xml"))
    with pytest.raises(ParseError, match="no NewsItem"):
        N12.parse(b"<NewsML><NewsEnvelope/></NewsML>")


def test_wrong_root_and_malformed_copy():
    with pytest.raises(ParseError, match="neither"):
        N12.parse(b"<nitf><head/></nitf>")
    with pytest.raises(ParseError, match="malformed"):
        N12.parse(b"<NewsML><NewsItem></NewsML>")


def test_entity_declarations_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE NewsML [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>'
        b"<NewsML><NewsItem/></NewsML>"
    )
    with pytest.raises(HostileInputError):
        N12.parse(bomb)
    xxe = (
        b'<!DOCTYPE NewsML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<NewsML><NewsItem><NewsComponent><NewsLines><HeadLine>&x;</HeadLine></NewsLines>"
        b"</NewsComponent></NewsItem></NewsML>"
    )
    with pytest.raises(HostileInputError, match="XXE"):
        N12.parse(xxe)


# ---- components, bodies and lines --------------------------------------------------------


def test_package_reads_the_main_text_not_the_photo_caption():
    item = parse("package-photos.xml")
    assert item.headline == "Lisbon tram line reopens after two-year overhaul"
    assert item.body == [
        "Lisbon's best-known tram line reopened on Tuesday after a two-year overhaul of its "
        "tracks and cars.",
        "The city said the line would run every eight minutes.",
    ]
    assert item.slugline == "Portugal-transport"
    assert item.dateline.place == "Lisbon"


def test_xhtml_body_byline_without_title_and_credit():
    item = parse("priority-only.xml")
    assert item.body[0].startswith("El Ayuntamiento de Valencia")
    assert all("Valencia abre" not in p for p in item.body)  # <head><title> is not text
    assert item.byline == "Por Lucía Ferrer"
    assert item.agency == "EFE"
    assert item.dateline.place == "Valencia"
    assert item.dateline.agency == "EFE"
    assert item.language == "es"
    assert item.keywords == ["urbanismo"]
    assert item.subjects == [Subject(scheme="subj", code="06006000")]


def test_bare_news_item_root_with_plain_text():
    item = parse("bare-newsitem.xml")
    assert item.item_id == "urn:newsml:anp.nl:20241112:0451"  # built: no PublicIdentifier
    assert item.agency == "ANP"
    assert item.urgency == 3
    assert item.language == "nl"
    assert item.slugline == "FIETSPAD ZEELAND"  # the NameLabel, there being no SlugLine
    assert item.dateline.place == "Middelburg"
    assert item.body == [
        "Over de Oosterscheldekering loopt sinds dinsdag een fietspad van elf kilometer.",
        "De provincie verwacht vooral in het voorjaar veel toeristen.",
    ]


def test_public_identifier_revision_tails():
    for public in ("urn:newsml:x.org:20241112:A1:3", "urn:newsml:x.org:20241112:A1:3U"):
        data = _item(
            revision=f"<RevisionId>3</RevisionId><PublicIdentifier>{public}</PublicIdentifier>"
        )
        assert N12.parse(data).item_id == "urn:newsml:x.org:20241112:A1"
    assert N12.parse(_item()).item_id == "urn:newsml:example.org:20241112:N1"


def test_escaped_html_body_and_several_headlines():
    lines = '<HeadLine xml:lang="fr">Titre</HeadLine><HeadLine xml:lang="en">Title</HeadLine>'
    component = '<DescriptiveMetadata><Language FormalName="en"/></DescriptiveMetadata>'
    data = "&lt;p&gt;One &amp;amp; two.&lt;/p&gt;&lt;p&gt;Three.&lt;/p&gt;"
    item = N12.parse(_item(lines=lines, component=component, data=data))
    assert item.headline == "Title"
    assert item.body == ["One & two.", "Three."]


def test_photo_only_item_is_refused_with_its_reason():
    # A picture with a headline and no text is no story: refused saying what it is, never
    # passed on as an empty story.
    data = (
        b"<NewsItem><NewsComponent><NewsLines><HeadLine>Photo only</HeadLine></NewsLines>"
        b'<ContentItem Href="pic.jpg"><MediaType FormalName="Photo"/></ContentItem>'
        b"</NewsComponent></NewsItem>"
    )
    with pytest.raises(EmptyStoryError, match=r"a photo item with no text story.*pic\.jpg"):
        N12.parse(data)
    # A withdrawal of one still reaches the desk.
    killed = data.replace(
        b"<NewsComponent>",
        b'<NewsManagement><Status FormalName="Canceled"/></NewsManagement><NewsComponent>',
        1,
    )
    item = N12.parse(killed)
    assert item.status is PubStatus.canceled
    assert item.body == []
    assert any("no text ContentItem" in n for n in item.notes)


def test_relayed_copy_is_credited_to_its_source():
    component = (
        '<AdministrativeMetadata><Provider><Party FormalName="Relay Wire"/></Provider>'
        '<Source><Party FormalName="dpa"/></Source></AdministrativeMetadata>'
    )
    assert N12.parse(_item(component=component)).agency == "dpa"


@pytest.mark.parametrize(
    ("provider_id", "name"),
    [
        ("afp.com", "AFP"),
        ("ana-mpe.gr", "ANA-MPE"),
        ("www.aap.com.au", "AAP"),
        ("newsml.bta.bg", "BTA"),
        ("AFP", None),
        ("", None),
    ],
)
def test_provider_domain_names(provider_id, name):
    assert _domain_name(provider_id) == name


# ---- other agencies' profiles --------------------------------------------------------------


def test_anp_letter_spaced_editor_note_is_a_note_not_the_lede():
    item = parse("anp-editor-note.xml")
    assert item.agency == "ANP"
    assert item.version == 2
    assert item.signals == [Signal.update]
    assert item.headline == "Veerpont Texel vaart weer na storing (2)"
    assert item.slugline == "Marieke Verwoerd (mve)"  # ANP's SlugLine, as carried
    assert item.byline is None  # the empty <ByLine/> is no byline
    assert item.dateline is None  # nor the empty <DateLine/>
    assert "editor's note: Nieuw bericht, vervangt: Veerpont Texel ligt stil door storing" in (
        item.notes
    )
    assert item.body[0].startswith("Den Helder (ANP) - De veerboot")
    story = normalised(raw("anp-editor-note.xml"))
    assert story.dateline.place == "Den Helder"  # found in the copy once the note is out
    assert story.body[0].startswith("De veerboot")


@pytest.mark.parametrize(
    ("note", "signal"),
    [
        ("G e c o r r i g e e r d bericht: naam burgemeester", Signal.correction),
        ("N i e u w bericht, vervangt: eerdere versie", Signal.update),
    ],
)
def test_editor_note_words_signal(note, signal):
    data = f"<p>{note}</p><p>Amsterdam (ANP) - Tekst.</p>"
    item = N12.parse(_item(data=data))
    assert item.signals == [signal]
    assert item.body == ["Amsterdam (ANP) - Tekst."]


def test_sda_catchword_slug_canton_dateline_and_latin9():
    item = parse("sda-catchword.xml")
    assert item.agency == "SDA"
    assert item.slugline == "Tiere"  # the CatchWord NewsLine is SDA-ATS's slug
    assert item.dateline.place == "Arosa"  # 'Arosa GR': the canton code is not the city
    assert item.headline == "Murmeltiere legen Wanderweg bei Arosa (GR) lahm"
    assert item.body[0].startswith("Eine Murmeltierkolonie hat bei Arosa (GR) einen Wanderweg")
    assert item.language == "de"
    assert item.urgency == 4
    assert any("DTD modules" in n for n in item.notes)


@pytest.mark.parametrize(
    ("dateline", "place"),
    [
        ("Zürich ZH", "Zürich"),
        ("Sion (VS)", "Sion"),
        ("BRUSSEL 29/01 (BELGA) =", "Brussel"),
        ("November 12", None),
        ("LJUBLJANA, 12. novembra (STA) -", "Ljubljana"),
        ("4/4/2018", None),
    ],
)
def test_dateline_places(dateline, place):
    item = N12.parse(_item(lines=f"<HeadLine>H</HeadLine><DateLine>{dateline}</DateLine>"))
    assert (item.dateline.place if item.dateline else None) == place


def test_efe_key_list_slug_initials_byline_and_nitf_urgency():
    item = parse("efe-key-list.xml")
    assert item.agency == "EFE"
    assert item.slugline == "ECUADOR FAUNA"  # the inline NITF's key-list keyword
    # EFE's byline field holds the desk's initials: carried as given, and said to be initials.
    assert item.byline == "sm/lpc"
    assert any("staff initials" in n for n in item.notes)
    assert item.urgency == 5  # no Urgency, no Priority: the NITF's ed-urg
    assert item.body[0].startswith("Quito, 12 nov (EFE).- Un cóndor")  # body.content, not abstract
    assert len(item.body) == 3
    story = normalised(raw("efe-key-list.xml"))
    assert story.dateline.place == "Quito"


def test_kyodo_envelope_priority_and_sign_off():
    item = parse("kyodo-envelope-priority.xml")
    assert item.agency == "Kyodo"
    assert item.urgency == 6  # the envelope's Priority stands in for the missing Urgency
    assert item.slugline == "Winter-Sapporo roads"
    assert item.dateline.place == "Sapporo"
    assert item.dateline.date == date(2024, 11, 12)
    assert item.body[-1].endswith("from a nearby hot spring, the city said.")
    assert "sign-off: ==Kyodo" in item.notes


def test_tass_item_without_news_item_id_is_named_by_its_component():
    item = parse("tass-no-item-id.xml")
    assert item.item_id == "urn:newsml:www.itar-tass.com::07BD1150A2C4471E90F3"
    assert item.agency in ("TASS", "ITAR-TASS")
    assert item.urgency == 2  # <Urgency>2</Urgency>, as text
    assert item.slugline == "URGENT"  # TASS's SlugLine, as carried
    assert item.dateline.place is None  # 'November 12' is a date
    assert item.language == "en"  # under a misspelt DescriptiveMetada: from xml:lang
    assert item.body[0].startswith("MURMANSK, November 12. /TASS/.")


def test_belga_lead_and_body_components_make_the_story():
    item = parse("belga-lead-body.xml")
    assert item.agency == "Belga"
    assert item.headline == "Tramlijn naar Zaventem krijgt extra haltes"
    assert item.body == [
        "De tramlijn tussen Brussel en de luchthaven krijgt vanaf volgend jaar drie haltes "
        "meer, zo heeft de vervoersmaatschappij dinsdag bekendgemaakt.",
        "De nieuwe haltes komen bij twee kantoorparken en een woonwijk die nu alleen per bus "
        "bereikbaar is.",
        "De werken starten in het voorjaar en duren ongeveer acht maanden.",
    ]
    assert item.urgency == 3  # Belga's 'Priority' Property
    assert item.version == 2
    assert item.language == "nl"
    assert item.dateline is None  # the City Property is metadata, not a dateline
    # 'urn:newsml:www.belga.be' is on every Belga item: the id is built from NewsItemId.
    assert item.item_id == "urn:newsml:belga.be:20241112T114500:112044817"


def test_belga_audio_bulletin_script():
    item = parse("belga-audio-bulletin.xml")
    assert item.headline == "Nieuws 12u00"  # past 'No Headline !', from a 'Headline' line
    assert any("placeholder" in n for n in item.notes)
    assert item.body == [
        "De haven van Gent heeft een recordjaar achter de rug. Er werden meer containers "
        "overgeslagen dan ooit. Havenschepen Els De Wit:",
        "De haven wil nu een nieuwe kade bouwen.",
        "In Leuven is een fietsbrug over de ring geopend. Ze verbindt twee wijken die tot nu "
        "gescheiden waren door de drukke weg.",
        "Vanmiddag zonnig bij 14 graden. Morgen meer wolken.",
    ]
    assert "the text belongs to audio: a script or shot list" in item.notes
    assert item.status is PubStatus.usable  # 'OPEN' is noted, read as usable
    assert any("'open' unknown" in n for n in item.notes)
    assert item.version == 1  # RevisionId 'DS...' is no number
    assert item.urgency == 3  # 'DEFAULT' is ignored, the component's Priority read
    assert item.agency == "Belga"


def test_placeholder_headline_alone_is_no_headline():
    item = N12.parse(_item(lines="<HeadLine>No Headline !</HeadLine>"))
    assert item.headline is None
    assert "the item carries no headline" in item.notes


def test_belga_tip_is_a_headline_without_text():
    item = parse("belga-tip.xml")
    assert item.headline == "cor 212 - VERKEERSONGEVAL E40, Aalter"
    assert item.body == []
    assert any("no text ContentItem holds any text" in n for n in item.notes)
    assert item.keywords == ["SMS"]
    assert item.item_id is None  # neither a NewsItemId nor an item-naming PublicIdentifier
    story = normalised(raw("belga-tip.xml"))
    assert story.headline == item.headline and story.body == []


def test_belga_video_shot_list_is_said_to_be_one():
    item = parse("belga-video.xml")
    assert item.headline == "Le port d'Anvers inaugure un quai pour navires électriques"
    assert item.body[0] == "PORT ELECTRIC QUAY OPENING"
    assert "the text belongs to video: a script or shot list" in item.notes
    assert item.urgency == 4


def test_afp_without_headline_advisory_update_and_sign_off():
    item = parse("afp-no-headline.xml")
    assert item.headline is None
    assert "the item carries no headline" in item.notes
    assert item.signals == [Signal.update]  # 'UPDATES with ...' in the AdvisoryLine
    assert item.body == [
        "Astronomers in northern Chile saw first light on Tuesday at a telescope built to map "
        "the southern sky every three nights.",
        "The observatory said the first images would be released next month.",
    ]
    assert "sign-off: rl/jm/mcd" in item.notes
    story = normalised(raw("afp-no-headline.xml"))  # a body without a headline is a story
    assert story.headline is None
    assert story.dateline.place == "Santiago"


@pytest.mark.parametrize(
    ("advisory", "signals"),
    [
        ("CORRECTS spelling of minister's name in para 3", [Signal.correction]),
        ("ADDS quotes, details", [Signal.update]),
        ("REPEATS for additional clients", []),
    ],
)
def test_advisory_line_signals(advisory, signals):
    lines = (
        "<HeadLine>H</HeadLine><NewsLine><NewsLineType FormalName='AdvisoryLine'/>"
        f"<NewsLineText>{advisory}</NewsLineText></NewsLine>"
    )
    assert N12.parse(_item(lines=lines)).signals == signals


def test_press_release_header_lines_are_notes():
    item = parse("press-release.xml")
    assert item.agency == "Fjordline Ferries ASA"  # the issuer whose release it is
    assert item.byline == "Fjordline Ferries ASA"
    assert item.dateline.place is None  # the DateLine is a timestamp
    assert item.body[:2] == [
        "Revenue rose 8 percent on more summer passengers.",
        "The company carried 1.2 million passengers in the quarter, up from 1.1 million a "
        "year earlier.",
    ]
    assert any(n.startswith("header line: 12.11.2024 08:30:08 CET |") for n in item.notes)
    assert any(n.startswith("opening line repeats") for n in item.notes)
