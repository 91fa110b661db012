"""Which language a story is written in: the text decides, the declaration breaks ties.

Agencies declare languages that are not the copy's (an English service stamping its house
language, 'it-IT' on English copy; a desk's default on a translation), so the declaration is
believed only when the text agrees with it or is too short to say. The text is judged by
py3langid's model (naive Bayes over byte n-grams, 140 languages), which tells apart what
stop-word lists cannot: Danish, Norwegian and Swedish; Ukrainian, Bulgarian and Russian;
Persian and Arabic; Catalan and Spanish. Our own scorer (``language_model``) gives the
library's probabilities, to the bit, at under half its cost. It reads at most the first 600
characters (a headline and a lede are plenty) and decides most stories on the first 300; the
model (about 145 MB in memory) is loaded once per process, before the worker pool forks
(``warm_up``).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from workers.language_model import LanguageModel, load

__all__ = ["ISO_639_2", "choose_language", "declared_code", "detect_language", "warm_up"]

# Below this many letters the model guesses; a declared language, if any, is better.
_MIN_LETTERS = 25
# How sure the model must be to overrule a declaration (normalised probability).
_OVERRULE = 0.90
# How sure it must be to give a language when nothing was declared, and how far ahead of the
# next language (tables and results read weakly, but still clearly as one language).
_ALONE = 0.20
_AHEAD = 2.0
# The model's codes where ISO 639-1 and agency practice differ: 'no' is written as Bokmål
# ('nb') by the Norwegian agencies; 'nn' (Nynorsk) is declared, never guessed.
_CODE = {"no": "nb"}
_SAME = {"no": "nb", "nn": "nb", "nb": "nb"}
# How sure the model must be on the first half of the sample to skip reading the rest.
_SURE_EARLY = 0.995
# ISO 639-2 codes agencies declare ('swe', 'ger', 'fre') as the ISO 639-1 codes stories hold.
ISO_639_2 = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "swe": "sv", "dan": "da", "nor": "nb", "nob": "nb",
    "nno": "nn", "fin": "fi", "isl": "is", "ice": "is", "pol": "pl", "ces": "cs", "cze": "cs",
    "slk": "sk", "slo": "sk", "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "hrv": "hr",
    "srp": "sr", "slv": "sl", "ell": "el", "gre": "el", "tur": "tr", "rus": "ru", "ukr": "uk",
    "ara": "ar", "fas": "fa", "per": "fa", "heb": "he", "zho": "zh", "chi": "zh", "jpn": "ja",
    "kor": "ko", "cat": "ca", "eus": "eu", "baq": "eu", "glg": "gl", "est": "et", "lav": "lv",
    "lit": "lt", "ind": "id", "msa": "ms", "may": "ms", "vie": "vi", "tha": "th", "hin": "hi",
}  # fmt: skip
# What is not a letter (the complement of [^\W\d_]): deleting its runs leaves the letters.
_NOT_LETTERS = re.compile(r"[\W\d_]+")
# Figures, table separators and score lines say nothing about the language and blur the model.
_NOISE = re.compile(r"[\d;:|_=+*#%$€£/\\<>{}\[\]()-]+")
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")

_loaded: LanguageModel | None = None
_lock = threading.Lock()


def warm_up() -> None:
    """Load the model now (about a second), not on the first story."""
    _model()


def _model() -> LanguageModel:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = load()
    return _loaded


def declared_code(tag: str | None) -> str | None:
    """'en-GB' -> 'en', 'it_IT' -> 'it', 'swe' -> 'sv'; None for what is not a tag."""
    if not tag or not (m := _TAG.match(tag)):
        return None
    code = m[1].lower()
    return ISO_639_2.get(code, code) if len(code) == 3 else code


def detect_language(text: str, *, sample: int = 600) -> tuple[str, float] | None:
    """The text's language (ISO 639-1) and how sure the model is, or None for too little text."""
    text = _NOISE.sub(" ", text[:sample])
    if not _enough_letters(text):
        return None
    model = _model()
    # The model's cost grows with the text: the first half decides most stories outright,
    # and only copy it is not sure of is read again in full.
    scores = model.probabilities(text[: sample // 2])
    best = int(scores.argmax())  # the first of equals, as the library's classify
    if float(scores[best]) < _SURE_EARLY and len(text) > sample // 2:
        scores = model.probabilities(text)
        best = int(scores.argmax())
    code, probability = model.classes[best], float(scores[best])
    if probability < _OVERRULE:
        # Not sure: only a clear lead over the next language counts. The runner-up comes from
        # the same scores (a repeated label's second column holds 0.0, never above it).
        runner_up = float(np.partition(scores, -2)[-2])
        if probability < _AHEAD * runner_up:
            probability = min(probability, _ALONE - 0.01)  # a close call is no call alone
    return _CODE.get(code, code), float(probability)


def _enough_letters(text: str) -> bool:
    """Enough letters to judge, counted in the opening only (the count is a scan of its own).
    Most copy has enough in its first 80 characters, and a longer opening has no fewer."""
    return any(len(_NOT_LETTERS.sub("", text[:end])) >= _MIN_LETTERS for end in (80, 300))


def choose_language(*, declared: str | None, text: str) -> str | None:
    """The story's language: the declared one unless the text clearly says otherwise."""
    declared = declared_code(declared)
    found = detect_language(text)
    if found is None:
        return declared
    code, probability = found
    if declared and _SAME.get(declared, declared) == _SAME.get(code, code):
        return _SAME.get(declared, declared) if declared in _SAME else declared
    if probability >= _OVERRULE or (not declared and probability >= _ALONE):
        return code
    return declared or None
