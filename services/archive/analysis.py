"""Text analysis shared by the archive engines: words, accent folding, stems per language.

Why here and not in each engine: a story and a query must be cut into the same words or a
phrase can never match, and the two engines must agree on what a word is, or the same query
would find different stories on SQLite and PostgreSQL. So the words are always cut in Python
(letters and digits, ``[^\\W_]+``: ``covid-19`` is two words, ``U.S.`` two, ``3.5`` two) and
the engines are handed them one by one, space-separated; neither engine's own tokenizer (FTS5's
unicode61, PostgreSQL's parser with its URL, version-number and e-mail tokens) gets a say.

Folding (``fold``) is case folding (``ß`` -> ``ss``), compatibility decomposition (``ﬁ`` ->
``fi``), dropping combining marks (``é`` -> ``e``, ``å`` -> ``a``) and the few Latin letters
that have no decomposition (``ø`` -> ``o``, ``æ`` -> ``ae``, ``ł`` -> ``l``...), which is
what PostgreSQL's ``unaccent`` does, so both engines fold alike. Folding comes before stemming,
so ``elephants``, ``éléphants`` and ``ÉLÉPHANTS`` all stem to the same thing: editors type
without accents.

Stems come from the Snowball algorithms (``snowballstemmer``, pure Python; it uses PyStemmer's
C build of the same algorithms when that is installed). The languages are those both Snowball
and PostgreSQL's text search ship (``LANGUAGES``); anything else, or no language, is not
stemmed (``UNSTEMMED``). Stemming is the analyser's cost, so every stem is cached per
language: news vocabulary repeats, and the cache turns most words into a dict lookup.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable

import snowballstemmer  # type: ignore[import-untyped]

__all__ = [
    "ANALYSER_VERSION",
    "LANGUAGES",
    "MAX_WORD",
    "UNSTEMMED",
    "fold",
    "folded_words",
    "language_key",
    "pieces",
    "plain_words",
    "stem",
    "words_of",
]

# ISO 639-1 -> the algorithm's name, which is also PostgreSQL's configuration name.
LANGUAGES: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
_ALIASES = {"nb": "no", "nn": "no"}  # Bokmål and Nynorsk: one Norwegian stemmer
UNSTEMMED = "xx"
MAX_WORD = 64  # longer runs are no words (base64, hashes, URLs run together): not indexed
# Bump when what the analyser makes of a text changes: an index built by another version
# must be rebuilt (the engines refuse to write into one; see their ``reindex``).
ANALYSER_VERSION = f"1/snowball-{getattr(snowballstemmer, '__version__', '3')}"

_WORD = re.compile(r"[^\W_]+")
# Latin letters with no Unicode decomposition, as unaccent.rules folds them.
_LETTERS = str.maketrans(
    {
        "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h",
        "ı": "i", "ŀ": "l", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s",
    }
)  # fmt: skip


@functools.lru_cache(maxsize=1 << 18)
def fold(word: str) -> str:
    """A word as it is indexed: case and accents folded."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Caches of what the analyser made of each word seen (news vocabulary repeats: most words of
# a story are a dict lookup). Bounded by starting afresh when full, which costs only time.
_CACHE_LIMIT = 1 << 19
_PIECES: dict[str, tuple[str, ...]] = {}


def pieces(word: str) -> tuple[str, ...]:
    """The folded word(s) of one word as written: one, except for a word whose folding holds a
    separator (``½`` -> ``1⁄2``: two); none for a word over ``MAX_WORD``."""
    found = _PIECES.get(word)
    if found is None:
        if len(word) > MAX_WORD:
            found = ()
        else:
            folded = fold(word)
            found = (folded,) if _WORD.fullmatch(folded) else tuple(_WORD.findall(folded))
        if len(_PIECES) >= _CACHE_LIMIT:
            _PIECES.clear()
        _PIECES[word] = found
    return found


def language_key(language: str | None) -> str:
    """The stemmer a story's language code picks (``en``, ``no`` for ``nb``...), or
    ``UNSTEMMED`` for none or one without a stemmer."""
    code = (language or "").strip().lower().replace("_", "-").split("-", 1)[0]
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGES else UNSTEMMED


_STEMMERS: dict[str, Callable[[str], str]] = {}
_STEMMING = threading.Lock()
_STEMS: dict[str, dict[str, str]] = {}


def stem(key: str, folded: str) -> str:
    """The stem of a folded word in a language (a ``language_key``)."""
    if key == UNSTEMMED:
        return folded
    cache = _STEMS.get(key)
    if cache is None:
        with _STEMMING:
            _STEMMERS[key] = snowballstemmer.stemmer(LANGUAGES[key]).stemWord
        cache = _STEMS.setdefault(key, {})
    found = cache.get(folded)
    if found is None:
        # A Snowball stemmer object keeps its state while it works: one word at a time.
        with _STEMMING:
            found = _STEMMERS[key](folded)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[folded] = found
    return found


def words_of(text: str | None) -> list[str]:
    """The words of a text as written, in order (letters and digits, ``[^\\W_]+``)."""
    return _WORD.findall(text) if text else []


def folded_words(text: str | None) -> list[str]:
    """The words of a text, folded, in order: what is indexed and what phrases match."""
    if not text:
        return []
    out: list[str] = []
    for word in _WORD.findall(text):
        out += pieces(word)
    return out


def plain_words(text: str | None) -> list[str]:
    """The words of a text as written (not folded), in order: what an engine that folds for
    itself (PostgreSQL with ``unaccent``) is handed."""
    if not text:
        return []
    return [w for w in _WORD.findall(text) if len(w) <= MAX_WORD]
