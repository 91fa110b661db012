"""Plain text: agency copy, press-release wires, bulletins, tickers, tables, CSV and e-mail.

Every sample in samples/plaintext/ is invented, in the structure the real senders use.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.harness import SEEDS
from tests.workers.formats.samplefiles import SAMPLES, normalised, read_sample
from workers.errors import ParseError
from workers.formats import detect
from workers.formats.plaintext import PlainText

PLAIN = PlainText()


def sample(name: str) -> bytes:
    return read_sample("plaintext", name)


def story(name: str):
    return normalised(sample(name))


# --- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((SAMPLES / "plaintext").iterdir()), ids=lambda p: p.name)
def test_every_sample_is_plain_text_with_the_low_fallback_claim(path):
    raw = path.read_bytes()
    assert PLAIN.sniff(raw) == 0.1
    assert detect(raw).name == "plaintext"


def test_xml_and_markup_are_never_claimed_as_text():
    assert PLAIN.sniff(b'<?xml version="1.0"?><feed/>') == 0
    assert PLAIN.sniff(b"\n  <rss version='2.0'>") == 0
    assert PLAIN.sniff(b'{"headline": "x"}') == 0.01


# --- agency copy ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "headline", "place", "agency"),
    [
        ("ap-2026-03-14-wildfire-evacuations.txt",
         "Wind-driven wildfire forces evacuations in Colorado foothills", "Denver", "AP"),
        ("reuters-2026-02-09-bank-of-canada-a.txt",
         "Bank of Canada holds rates, signals patience on cuts", "Ottawa", "Reuters"),
        ("reuters-2017-11-10-syria-islamic-state.txt", None, "Beirut", "Reuters"),
        ("afp-2026-01-21-paris-transport-strike.txt", None, "Paris", "AFP"),
        ("dpa-2026-06-02-rhine-low-water.txt", None, "Berlin", "dpa"),
        ("upi-2026-04-30-earthquake-quick.txt", None, "Tokyo", "UPI"),
    ],
)  # fmt: skip
def test_seeds_keep_parsing_the_same(seed, headline, place, agency):
    s = normalised((SEEDS / seed).read_bytes())
    assert (s.headline, s.dateline.place, s.agency) == (headline, place, agency)
    assert s.body[0][0].isupper() and not s.body[0].startswith(place.upper())


def test_reuters_credit_line_is_a_note_not_text():
    s = story("reuters-byline-credit.txt")
    assert s.headline == "Swedish lake ferries switch to battery power"
    assert s.byline == "By Anna Lindqvist"
    assert s.dateline.place == "Stockholm" and s.agency == "Reuters"
    assert s.body[0].startswith("Sweden's biggest inland ferry operator")
    assert s.body[-1].endswith("4 million litres a year.")
    assert "Reporting by Anna Lindqvist; Editing by Tom Hale" in s.notes


def test_byline_under_the_headline_drops_its_job_title_and_end_mark():
    s = story("ap-byline-title.txt")
    assert s.headline == "Town votes to keep its century-old covered bridge"
    assert s.byline == "By MARTHA KEEL"
    assert s.dateline.place == "Hollis" and s.agency == "AP"
    assert s.body == [
        "Voters in this town of 900 decided Tuesday to repair their 1905 covered bridge "
        "rather than replace it with a concrete span.",
        "The repairs are expected to take two summers.",
    ]
    assert "Associated Press Writer" in s.notes and "END" in s.notes


@pytest.mark.parametrize(
    ("name", "agency", "sign_off", "last"),
    [
        ("aap-signoff.txt", "AAP", "AAP kl/mr", "allowed home on Sunday morning."),
        ("dpa-signoff.txt", "dpa", "dpa ab yy", "Das teilte die Hafenbehörde am Montag mit."),
        ("afp-initials.txt", "AFP", "burs-jm/lth", "a annoncé mardi l'opérateur du réseau."),
    ],
)
def test_desk_sign_offs_leave_the_body(name, agency, sign_off, last):
    s = story(name)
    assert s.agency == agency
    assert s.body[-1].endswith(last)
    assert sign_off in s.notes


def test_sign_off_naming_an_agency_credits_it_when_the_dateline_does_not():
    raw = b"ROMA, 10 NOV - Il governo ha approvato il piano.\n\nAltre notizie.\n\nANSA\n"
    s = normalised(raw)
    assert s.agency == "ANSA" and s.body[-1] == "Altre notizie."
    # The dateline's credit wins over a relaying desk's sign-off.
    relayed = normalised(b"LIMA (Reuters) - Peru's cabinet resigned.\n\nAAP ab/cd\n")
    assert relayed.agency == "Reuters"


def test_trailer_is_read_once_the_credit_is_off():
    s = story("truncated-credit.txt")
    assert s.truncated is True
    assert s.body[-1].endswith("halted output because of a strike")
    assert "Reporting by Lucia Ferrer; Editing by Dan Hall" in s.notes


def test_copy_sent_one_paragraph_a_line():
    s = story("one-paragraph-a-line.txt")
    assert s.headline == "Harbour pilots end overtime ban after pay deal"
    assert s.dateline.place == "Wellington"
    assert len(s.body) == 4 and s.body[2] == "Ships resume normal schedules."


def test_credit_wrapped_under_the_last_paragraph():
    raw = (
        b"OSLO (Reuters) - The fund sold its stake, it said on Monday.\n"
        b"(Reporting by Ola Berg; additional reporting by\nKari Lie; Editing by Ben Fox)\n"
    )
    s = normalised(raw)
    assert s.body == ["The fund sold its stake, it said on Monday."]
    assert "Reporting by Ola Berg; additional reporting by Kari Lie; Editing by Ben Fox" in s.notes


def test_headline_is_never_invented():
    # A sentence first, a one-word first line, or a single block: no headline.
    assert normalised(b"Floods closed schools.\n\nMore rain is due.\n").headline is None
    assert (
        normalised(b"URGENT\n\nThe minister resigned on Monday, officials said.").headline is None
    )
    assert normalised(b"The minister resigned on Monday, officials said.").headline is None
    assert normalised(b"Dear editors\n\nPlease find our statement below.").headline is None


def test_title_standing_alone_above_the_text_is_the_headline():
    s = normalised(b"Minister resigns over rail contract\n\nThe transport minister resigned on "
                   b"Monday after an inquiry into a rail contract, officials said.\n")  # fmt: skip
    assert s.headline == "Minister resigns over rail contract"
    assert s.body[0].startswith("The transport minister resigned")


def test_a_headline_with_a_colon_is_no_header_line():
    s = normalised(b"Brexit: May faces new vote\n\nLONDON (Reuters) - Prime Minister May faced ...")
    assert s.headline == "Brexit: May faces new vote"


# --- press releases ---------------------------------------------------------------------------


def test_asianet_release_reads_issuer_headline_and_lone_dateline():
    s = story("release-asianet.txt")
    assert s.headline == "Lumora Harbour Systems Opens Tidal Test Berth for Autonomous Ferry Trials"
    assert s.dateline.place == "Portland"
    # The distributor credited in the dateline is the agency, not the issuer.
    assert s.agency == "PR Newswire"
    assert s.item_id == "PR81234"
    assert s.body[0].startswith("-- First berth on the coast built for crewless passenger ferries")
    assert s.body[1].startswith(
        "Lumora Harbour Systems Ltd. ( https://www.lumora.example/ ), a maker"
    )
    assert s.body[-1].startswith("About Lumora Harbour Systems")
    notes = s.notes
    assert notes[:2] == ["Source: Lumora Harbour Systems Ltd.", "MEDIA RELEASE PR81234"]
    assert any(n.startswith("Photo - http://") for n in notes)
    assert "SOURCE Lumora Harbour Systems Ltd." in notes and "press@lumora.example" in notes
    assert not any("mma.example.com" in p or "SOURCE" in p for p in s.body)


def test_release_without_dash_repeats_its_headline_and_names_a_relayed_distributor():
    s = story("release-jbn-nodash.txt")
    assert s.headline == "Kestrel Optics Ships Its First Fog-Piercing Camera for Rail Yards"
    assert s.dateline.place == "Osaka"
    assert s.agency == "Kyodo JBN"  # 'Kyodo JBN-AsiaNet': the relay network is taken off
    assert s.body[0].startswith("Kestrel Optics Corporation said on June 3")
    assert s.body[-1].endswith("moves without clearance.")
    assert "(Photo 1: https://prw.example.jp/release/kestrel_cam.jpg)" in s.notes


# --- bulletins, tickers, tables, CSV ----------------------------------------------------------


def test_bulletin_id_and_issuer_are_notes_and_its_title_the_headline():
    s = story("bulletin-flood-watch.txt")
    assert s.headline == "Flood Watch for the Lower Tamsin River"
    assert s.notes[:3] == [
        "IDX40417",
        "National Weather Service of Examplia",
        "Northern Coast District",
    ]
    assert s.body[0] == "Issued at 6:40 am on Monday 3 March 2025."
    assert s.dateline is None and s.agency is None


def test_marine_warning_header_block_and_section_headings():
    s = story("bulletin-marine.txt")
    assert s.headline == "STORM WARNING FOR THE OUTER BANKS"
    assert "SECURITE" in s.notes and "IDX71230" in s.notes
    assert s.body[:2] == [
        "PLEASE BE AWARE",
        "Wave heights may be up to twice the significant height given here.",
    ]
    assert "FORECAST" in s.body


def test_ticker_is_one_paragraph_an_item():
    s = story("ticker.txt")
    assert s.headline is None
    assert s.body[0] == "FERRY STRIKE ENDS AFTER NINE DAYS"
    assert s.body[-1] == "INTEREST RATES ON HOLD, SAYS CENTRAL BANK"
    assert len(s.body) == 5


def test_table_keeps_one_row_a_paragraph():
    s = story("racing-results.txt")
    assert s.headline is None
    assert s.body[0] == "Marlow Park, Friday 14 Mar 2025"
    assert "1|COPPER KETTLE|4|4|$3.40F|" in s.body and s.body[-1] == "TIME: 22.91 (4)"


def test_csv_calendar_rows_name_their_columns():
    s = story("calendar.txt")
    assert s.headline is None
    assert s.notes[0].startswith("columns: Subject, Start Date")
    assert s.body[1] == (
        "Subject: 3110.2 Regional Rainfall Summary, Autumn 2025; Start Date: 9/4/2025; "
        "Start Time: 11:30 AM; All day event: false; Location: Release Calendar"
    )
    assert len(s.body) == 3


# --- e-mail -----------------------------------------------------------------------------------


def test_email_subject_is_the_headline_and_headers_are_no_text():
    s = story("email-simple.eml")
    assert s.headline == "Café owners protest parking fees"
    assert s.body == [
        "Owners of a dozen cafés on Marine Parade closed their doors for an hour on Monday to "
        "protest against new parking fees.",
        "The council says the fees will pay for a new footpath.",
    ]
    assert s.item_id == "msg-4471@example.org"
    assert "From: A Reader <reader@example.org>" in s.notes
    assert not any("Received" in p or "Delivered-To" in p or "Sent from" in p for p in s.body)


def test_emailed_story_reads_its_own_headline_byline_and_dateline():
    s = story("email-story-cp1252.eml")
    assert s.headline == "Keel leads by two at windy Harbour Classic"
    assert s.byline == "By Sam Doyle"
    assert s.dateline.place == "Perth" and s.dateline.date == date(2022, 3, 10)
    assert s.agency == "AAP"
    assert s.body[2] == "“I just kept the ball low,” she said."
    assert (
        s.body[-1]
        == "Defending champion Ruth Amos is among a group of four players tied for second."
    )
    # The Subject, a UTF-8 word labelled windows-1252, is repaired and kept as a note.
    assert "Subject: Keel’s windy round" in s.notes
    assert "AAP sd/" in s.notes and "Golf Writer" in s.notes
    assert any(n.startswith("signature: This message may contain") for n in s.notes)


def test_emailed_form_is_read_by_its_field_names():
    s = story("email-form.eml")
    assert s.headline == "Peninsula ferry to start in June"
    assert s.slugline == "Tas Ferry" and s.urgency == 3
    assert s.dateline.place == "Hobart"
    assert s.body == [
        "A passenger ferry will link Hobart to the peninsula from June, the state government says.",
        "The service will run six times a day.",
    ]
    assert "Subject: Formatted Editorial Story" in s.notes
    assert not any("editor@news.example" in n for n in s.notes)


def test_html_only_email_is_read_as_text_and_forward_prefix_goes():
    s = story("email-html-only.eml")
    assert s.headline == "Library to open on Sundays"
    assert s.body == [
        "The central library will open on Sundays from April, the council said on Wednesday.",
        "Opening hours will be 10am to 4pm.",
    ]


def test_email_attachments_are_named_never_read_as_text():
    s = story("email-attachment.eml")
    assert s.headline == "Harbour fireworks picture"
    assert s.body == ["Fireworks over the harbour at midnight, seen from the north shore."]
    assert "attachment: fireworks.png (image/png)" in s.notes


def test_labelled_header_lines_fill_fields():
    raw = (
        b"Headline: Port strike ends\nSlugline: Port-Strike\nPriority: 2\nSource: dpa\n\n"
        b"The strike at the port ended on Monday after nine days, the union said.\n"
    )
    item = PLAIN.parse(raw)
    assert (item.headline, item.slugline, item.urgency, item.agency) == (
        "Port strike ends", "Port-Strike", 2, "dpa"
    )  # fmt: skip
    assert item.body == ["The strike at the port ended on Monday after nine days, the union said."]


def test_forwarded_message_header_lines_are_no_text():
    raw = (
        b"---------- Forwarded message ---------\nFrom: Press Office <press@port.example>\n"
        b"Date: Mon, 3 Mar 2025\nSubject: Harbour closed to small craft\nTo: desk\n\n"
        b"The harbour will be closed to small craft on Tuesday because of the regatta.\n"
    )
    s = normalised(raw)
    assert s.headline == "Harbour closed to small craft"
    assert s.body == [
        "The harbour will be closed to small craft on Tuesday because of the regatta."
    ]
    assert "From: Press Office <press@port.example>" in s.notes


@pytest.mark.parametrize(
    ("closing", "agency"),
    [
        ("==Kyodo", "Kyodo"),
        ("Enditem", "Xinhua"),
        ("© 2025 Xinhua. All rights reserved.", "Xinhua"),
    ],
)
def test_end_marks_and_copyright_lines_close_the_copy(closing, agency):
    raw = f"BEIJING, May 2 ({agency}) - The port reopened on Friday.\n\n{closing}\n".encode()
    s = normalised(raw)
    assert s.body == ["The port reopened on Friday."] and closing in s.notes


def test_headline_in_a_script_without_spaces():
    raw = "港口恢复运营\n\n港口周五恢复运营，当局表示所有航线已经重新开放并将增加班次。".encode()
    s = normalised(raw)
    assert s.headline == "港口恢复运营"
    assert s.body == ["港口周五恢复运营，当局表示所有航线已经重新开放并将增加班次。"]


def test_version_flags_ahead_of_the_headline():
    raw = b"REFILE-CORRECTED-Gold rises on rate bets\n\nLONDON, May 2 (Reuters) - Gold rose."
    s = normalised(raw)
    assert s.headline == "REFILE-CORRECTED-Gold rises on rate bets"
    assert s.version_label == "REFILE CORRECTED" and s.version == 1
    assert [sig.value for sig in s.signals] == ["correction"]
    plain = normalised(b"Gold rises on rate bets\n\nLONDON, May 2 (Reuters) - Gold rose.")
    assert plain.version_label is None and plain.signals == []


def test_mailed_markup_is_read_by_its_own_format_never_as_text():
    head = b"From: relay@news.example\nTo: desk@news.example\nSubject: Mailed item\n\n"
    nitf = read_sample("nitf", "aap-relay-afp.xml")
    s = normalised(head + nitf)
    assert s.format == "nitf" and s.headline and "<" not in " ".join(s.body)
    assert "From: relay@news.example" in s.notes
    with pytest.raises(ParseError, match="unrecognised XML root opml"):
        normalised(head + b"<?xml version='1.0'?><opml><body/></opml>")
