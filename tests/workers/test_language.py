"""Language: the text decides, a declaration is believed when the text agrees or is too short.
Sentences written for these tests in each language."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from workers import language, language_model
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


# The scorer (workers/language_model.py) against py3langid's own classifier, on copy written
# for these tests in more languages and in the shapes wire copy takes.
MORE = {
    "en": "The central bank held interest rates on Thursday and said inflation would ease "
    "slowly over the coming year, sending the currency lower against the dollar.",
    "de": "Die Bundesregierung will die Schuldenbremse im kommenden Jahr einhalten, sagte der "
    "Finanzminister am Mittwoch in Berlin nach einer Sitzung des Kabinetts.",
    "fr": "Le gouvernement a présenté mercredi un projet de loi sur les retraites, que les "
    "syndicats jugent inacceptable et contre lequel ils appellent à manifester.",
    "it": "Il governo ha approvato giovedì il decreto sulle bollette, che prevede aiuti per le "
    "famiglie a basso reddito e per le piccole imprese del Mezzogiorno.",
    "pt": "O governo anunciou nesta quarta-feira um pacote de medidas para conter a alta dos "
    "preços dos alimentos, segundo o ministro da Fazenda em Brasília.",
    "nl": "Het kabinet wil volgend jaar meer geld uittrekken voor defensie, zei de minister "
    "dinsdag in Den Haag na afloop van de ministerraad.",
    "fi": "Hallitus aikoo leikata ensi vuonna kuntien valtionosuuksia, kertoi "
    "valtiovarainministeri tiistaina Helsingissä tiedotustilaisuudessa.",
    "pl": "Rząd zapowiedział w środę, że w przyszłym roku zwiększy wydatki na obronność, "
    "poinformował minister finansów na konferencji prasowej w Warszawie.",
    "tr": "Hükümet, gelecek yıl savunma harcamalarını artıracağını açıkladı; Maliye Bakanı "
    "açıklamayı çarşamba günü Ankara'da yaptı.",
    "el": "Η κυβέρνηση ανακοίνωσε την Τετάρτη ότι θα αυξήσει τις αμυντικές δαπάνες τον επόμενο "
    "χρόνο, δήλωσε ο υπουργός Οικονομικών στην Αθήνα.",
    "he": "הממשלה הודיעה ביום רביעי כי תגדיל את תקציב הביטחון בשנה הבאה, כך אמר שר האוצר "
    "במסיבת עיתונאים בירושלים.",
    "ja": "政府は水曜日、来年度の防衛費を増額すると発表した。財務大臣が東京で記者会見を開いた。",
    "zh": "政府星期三宣布，明年将增加国防开支，财政部长在北京举行的新闻发布会上表示。",
    "ko": "정부는 수요일 내년 국방비를 늘리겠다고 발표했다고 재무장관이 서울에서 기자회견을 열고 밝혔다.",
    "hi": "सरकार ने बुधवार को घोषणा की कि वह अगले वर्ष रक्षा खर्च बढ़ाएगी, वित्त मंत्री ने नई दिल्ली "
    "में संवाददाता सम्मेलन में कहा।",
}
# Shapes that take other paths through the scorer: shouted copy (read in lower case), decomposed
# accents (NFC first), a bare agate line, a lone surrogate, emoji, nothing at all, one letter.
ODD = [
    "DIE BUNDESREGIERUNG WILL DIE SCHULDENBREMSE EINHALTEN, SAGTE DER MINISTER",
    "Le gouvernement a pre\u0301sente\u0301 mercredi un projet de loi tre\u0300s contesté",
    "Harbour City 40 25 11 4 54 Lakeport 40 22 14 4 48",
    "broken \ud800 surrogate in a feed",
    "🙂🙂 goal! 🙂",
    "",
    "x",
]


def _texts() -> list[str]:
    texts = [*SAMPLES.values(), *MORE.values(), *ODD]
    # Longer copy, as a lede and the paragraphs after it come (past 300 characters).
    texts += [f"{a} {b} {a}" for a, b in zip(SAMPLES.values(), MORE.values(), strict=False)]
    return texts


@pytest.fixture(scope="module")
def dfa() -> tuple[Any, Any, Any]:
    """The model's DFA as py3langid ships it: distinct rows flattened, each state's row, and
    each state's feature."""
    _, _, _, moves, rows, feature = language_model._read()
    return moves, rows, feature


@pytest.fixture(scope="module")
def library() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@pytest.mark.parametrize("text", _texts())
def test_the_scorer_gives_the_librarys_probabilities(library: Any, text: str) -> None:
    model = language._model()
    scores = model.probabilities(text)
    best = int(scores.argmax())
    label, probability = library.classify(text)
    assert model.classes[best] == label
    assert float(scores[best]) == pytest.approx(probability, abs=1e-6)
    # The whole distribution, one entry a label (a repeated label's first column).
    ours: dict[str, float] = {}
    for column, name in enumerate(model.classes):
        ours.setdefault(name, float(scores[column]))
    theirs = dict(library.rank(text))
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[k] - theirs[k]) for k in ours) < 1e-6


def _library_detect(library: Any, text: str, sample: int = 600) -> tuple[str, float] | None:
    """detect_language as it read before the scorer: py3langid's classify and rank."""
    text = language._NOISE.sub(" ", text[:sample])
    if len(re.findall(r"[^\W\d_]", text[:300])) < language._MIN_LETTERS:
        return None
    code, probability = library.classify(text[: sample // 2])
    if probability < language._SURE_EARLY and len(text) > sample // 2:
        code, probability = library.classify(text)
    if probability < language._OVERRULE:
        ranked = library.rank(text)
        if probability < language._AHEAD * ranked[1][1]:
            probability = min(probability, language._ALONE - 0.01)
    return language._CODE.get(code, code), float(probability)


def test_detection_decides_as_the_library_did(library: Any) -> None:
    # Whole texts, openings cut at every length class, and copy past the first half.
    texts = _texts() + [t[:n] for t in _texts() for n in (20, 40, 80)]
    texts += [" ".join(_texts()[i : i + 3]) for i in range(len(_texts()))]
    for text in texts:
        ours, theirs = detect_language(text), _library_detect(library, text)
        if theirs is None:
            assert ours is None, text
        else:
            assert ours is not None, text
            assert ours[0] == theirs[0], text
            assert ours[1] == pytest.approx(theirs[1], abs=1e-6), text


def test_the_vectorised_walk_finds_what_a_byte_walk_finds(dfa: tuple[Any, Any, Any]) -> None:
    """Every byte's feature equals a plain walk of the DFA a byte at a time, on copy and on
    random bytes (which reach states copy never does)."""
    moves, rows, feature = dfa
    model = language._model()

    def walk(data: bytes) -> list[int]:
        state, found = 0, []
        for byte in data:
            state = int(moves[(int(rows[state]) << 8) + byte])
            found.append(int(feature[state]))
        return found

    rng = random.Random(5)
    samples = [t.encode("utf8", errors="surrogatepass") for t in _texts()]
    samples += [rng.randbytes(n) for n in (0, 1, model.depth - 1, model.depth, 2000)]
    samples += [bytes(rng.choice(b"etaoin shrdlu\xc3\xa9\xa4") for _ in range(500))]
    for data in samples:
        assert model.features(data).tolist() == walk(data)


def test_the_dfa_has_the_shape_the_walk_relies_on(dfa: tuple[Any, Any, Any]) -> None:
    moves, rows, _ = dfa
    assert language_model.automaton_problems(moves, rows) == []
    # A DFA that is no Aho-Corasick automaton is caught: a transition that falls back to a
    # state one byte from the start (as the same byte does from the start) goes to the start.
    table = moves.copy().reshape(-1, 256)
    state = next(s for s in range(1, rows.size) if int(table[rows[s]][ord("e")]) != 0)
    row = int(rows[state])
    byte = next(b for b in range(256) if table[row, b] != 0 and table[row, b] == table[rows[0], b])
    table[row, byte] = 0
    assert language_model.automaton_problems(table.ravel(), rows) == [
        "a transition goes elsewhere than its failure state's"
    ]
