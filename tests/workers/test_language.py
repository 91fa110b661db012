"""Language: the text decides, a declaration is believed when the text agrees or is too short.
Sentences written for these tests in each language."""

from __future__ import annotations

import pytest

from workers.language import choose_language, declared_code, detect_language

SAMPLES = {
    "da": "Regeringen vil ikke oplyse, hvor mange penge der skal bruges på forsvaret næste år, "
    "siger ministeren til pressen efter mødet.",
    "nb": "Regjeringen vil ikke si hvor mye penger som skal brukes på forsvaret neste år, sier "
    "statsråden til pressen etter møtet.",
    "sv": "Regeringen vill inte säga hur mycket pengar som ska läggas på försvaret nästa år, "
    "säger ministern till pressen efter mötet.",
    "uk": "Уряд заявив, що переговори щодо нового бюджету продовжаться наступного тижня у Києві.",
    "bg": "Правителството заяви, че преговорите за новия бюджет ще продължат следващата седмица.",
    "ru": "Правительство заявило, что переговоры о новом бюджете продолжатся на следующей неделе.",
    "fa": "دولت اعلام کرد که گفتگوها درباره بودجه جدید هفته آینده در تهران ادامه خواهد یافت.",
    "ar": "أعلنت الحكومة أن المحادثات بشأن الميزانية الجديدة ستستمر الأسبوع المقبل في القاهرة.",
    "ca": "El Govern ha anunciat que les negociacions sobre el nou pressupost continuaran la "
    "setmana vinent a Barcelona.",
    "es": "El Gobierno ha anunciado que las negociaciones sobre el nuevo presupuesto "
    "continuarán la semana próxima en Madrid.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_close_languages_are_told_apart(lang: str) -> None:
    assert choose_language(declared=None, text=SAMPLES[lang]) == lang


def test_the_text_overrules_a_wrong_declaration() -> None:
    text = "Italy's foreign minister said on Tuesday the declaration was unacceptable and "
    text += "that Rome would not recognise it, adding that talks must go on."
    assert choose_language(declared="it-IT", text=text) == "en"


def test_a_declaration_the_text_agrees_with_keeps_its_code() -> None:
    assert choose_language(declared="nb-NO", text=SAMPLES["nb"]) == "nb"
    assert choose_language(declared="NO", text=SAMPLES["nb"]) == "nb"
    assert choose_language(declared="es", text=SAMPLES["es"]) == "es"


def test_too_little_text_keeps_the_declaration() -> None:
    assert choose_language(declared="de", text="Eil: Zugspitze") == "de"
    assert choose_language(declared=None, text="Zugspitze") is None
    assert detect_language("   ") is None


def test_declared_codes_are_primary_subtags() -> None:
    assert declared_code("en-GB") == "en"
    assert declared_code("it_IT") == "it"
    assert declared_code("not a tag!") is None


def test_a_results_table_still_reads_as_its_language() -> None:
    table = (
        "Hockey Standings EASTERN CONFERENCE Atlantic Division ;GP;W;L;OT;Pts "
        "Harbour City;40;25;11;4;54 Lakeport;40;22;14;4;48 Riverton;39;20;15;4;44 "
        "Central Division ;GP;W;L;OT;Pts Prairie Falls;41;27;10;4;58 Northgate;40;19;17;4;42"
    )
    assert choose_language(declared=None, text=table) == "en"
