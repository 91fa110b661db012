"""The editors' query language, parsed into a small tree that every archive engine compiles.

Why a language of our own rather than an engine's (FTS5's MATCH syntax, PostgreSQL's
``websearch_to_tsquery``): the same query must mean the same thing on every engine, a typing
slip must be a ``400`` that says where it is wrong (never an engine's syntax error, never a
500), and what editors type is what wire desks and Google taught them:

    central bank governor        every word must match (stemmed in the story's language)
    "central bank"               an exact phrase: these words, in this order, side by side
                                 (case and accents folded, never stemmed)
    strike OR walkout            either; ``|`` is the same as ``OR``
    ceasefire -gaza              ``-word`` or ``NOT word``: leave out what matches
    (ferry OR rail) strike       parentheses group
    elephan*                     a prefix (at least 2 letters; folded, never stemmed)
    headline:quake               a field: headline, byline, slug, body, place, person, org,
    headline:"central bank"      topic; it applies to a word, a phrase or a group:
    person:(lagarde OR powell)   ``place:(chile OR peru)``

Precedence, tightest first: ``-``/``NOT``, then ``OR``, then AND (spelled or implied), as in a
search engine editors know: ``ceasefire gaza OR lebanon`` is ceasefire AND (gaza OR lebanon).
``OR``, ``AND`` and ``NOT`` are operators only in capitals (``or`` is a word: French gold).
A term with no letters or digits in it (a dash, an ampersand) is punctuation and is skipped;
a term that holds several words (``covid-19``, ``U.S.``, ``10:30``) is the phrase of them.

A query made only of exclusions (``-sport``) is allowed: it means every story the filters
let through except those that match. It is the common "Berlin desk, nothing about football"
case, and refusing it would only make editors write ``* -sport``.

A malformed query raises ``QuerySyntaxError`` with the offset (0-based, into the query as
given) and what was expected there; its message reads ``<problem> at offset N: expected
<what>``, fit to send back as the 400's detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from workers.errors import PermanentError

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "And",
    "Field",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "QuerySyntaxError",
    "SearchRequestError",
    "Word",
    "leaves",
    "parse",
    "positive_leaves",
    "render",
]

MAX_QUERY_CHARS = 1000
MAX_QUERY_TERMS = 64  # words, phrases and prefixes in one query: each is an index lookup
MAX_DEPTH = 16  # nested parentheses and negations
MIN_PREFIX = 2  # ``a*`` would be most of the index


class SearchRequestError(PermanentError):
    """A search the archive cannot answer as asked (bad query, filter value or cursor): the
    API's 400. Permanent: asking again gives the same answer."""


class QuerySyntaxError(SearchRequestError):
    """A malformed query. ``offset`` is where (0-based), ``expected`` what would have been
    right there, ``problem`` what was found."""

    def __init__(self, problem: str, *, offset: int, expected: str) -> None:
        self.problem = problem
        self.offset = offset
        self.expected = expected
        super().__init__(f"{problem} at offset {offset}: expected {expected}")


class Field(StrEnum):
    """The parts of a story a query term can be held to."""

    headline = "headline"
    byline = "byline"
    slug = "slug"
    body = "body"
    place = "place"
    person = "person"
    org = "org"
    topic = "topic"


# The tree. Leaves carry the field they are held to (None: anywhere) and where they began in
# the query, so an engine can say which term it could not use.


@dataclass(frozen=True)
class Word:
    """One word, matched by its stem in the story's language."""

    text: str
    field: Field | None = None
    offset: int = 0


@dataclass(frozen=True)
class Phrase:
    """Words side by side in this order, matched as written (case and accents folded)."""

    words: tuple[str, ...]
    field: Field | None = None
    offset: int = 0


@dataclass(frozen=True)
class Prefix:
    """Any word beginning with ``text`` (case and accents folded)."""

    text: str
    field: Field | None = None
    offset: int = 0


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Leaf = Word | Phrase | Prefix
Node = Word | Phrase | Prefix | And | Or | Not

# Letters and digits: what makes a word, in the query as in the stories (the archive's
# analyser uses the same class, so a query word is always one indexed token).
WORD_CHARS = re.compile(r"[^\W_]+")
_QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”"}  # opening -> the usual closing
_CLOSING = {'"', "”", "“"}
_FIELD_NAME = re.compile(r"[A-Za-z]+")
_OPERAND = 'a word, a "phrase" or ('
_FIELDS = ", ".join(f.value for f in Field)


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, field, lparen, rparen, or, and, not, minus, end
    text: str
    offset: int
    prefix: bool = False  # a word with a trailing *


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    at_term_start = True  # after space, start or '(': where '-' means NOT
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            at_term_start = True
            continue
        if ch in "()":
            tokens.append(_Token("lparen" if ch == "(" else "rparen", ch, i))
            i += 1
            at_term_start = ch == "("
            continue
        if ch == "|":
            tokens.append(_Token("or", ch, i))
            i += 1
            at_term_start = True
            continue
        if ch in _QUOTES:
            end = next((j for j in range(i + 1, n) if query[j] in _CLOSING), -1)
            if end < 0:
                raise QuerySyntaxError(
                    "unclosed quote", offset=i, expected='a closing quote (") for this phrase'
                )
            tokens.append(_Token("phrase", query[i + 1 : end], i))
            i = end + 1
            at_term_start = False
            continue
        if (
            ch == "-"
            and at_term_start
            and i + 1 < n
            and not query[i + 1].isspace()
            and (query[i + 1] not in ")|-")
        ):
            tokens.append(_Token("minus", ch, i))
            i += 1
            continue
        # A bare term: up to a space, a parenthesis, a quote or a '|'.
        j = i
        while j < n and not query[j].isspace() and query[j] not in '()|"“”„':
            j += 1
        term = query[i:j]
        name = _FIELD_NAME.match(term)
        if name and term[name.end() : name.end() + 1] == ":":
            _check_field(name.group(), i, query, i + name.end() + 1)
            tokens.append(_Token("field", name.group().lower(), i))
            i += name.end() + 1
            at_term_start = False
            continue
        if term in ("OR", "AND", "NOT"):
            tokens.append(_Token(term.lower(), term, i))
        else:
            tokens.append(_word_token(term, i))
        i = j
        at_term_start = False
    tokens.append(_Token("end", "", n))
    return tokens


def _check_field(name: str, offset: int, query: str, after: int) -> None:
    if name.lower() not in Field.__members__:
        raise QuerySyntaxError(
            f"unknown field {name!r}",
            offset=offset,
            expected=f"one of {_FIELDS} (quote the text to search for it as written)",
        )
    if after >= len(query) or query[after].isspace() or query[after] in ")|":
        raise QuerySyntaxError(
            f"empty field {name.lower()}:", offset=offset, expected=f"{_OPERAND} right after it"
        )
    if query[after] == "-":
        raise QuerySyntaxError(
            f"empty field {name.lower()}:",
            offset=offset,
            expected=f"{_OPERAND} right after it (to leave it out: -{name.lower()}:word)",
        )


def _word_token(term: str, offset: int) -> _Token:
    star = term.find("*")
    if star >= 0 and (star != len(term) - 1 or term.count("*") > 1):
        raise QuerySyntaxError(
            "'*' inside a word", offset=offset + star, expected="'*' only at the end of a word"
        )
    prefix = star >= 0
    body = term[:-1] if prefix else term
    if prefix:
        words = WORD_CHARS.findall(body)
        if len(words) != 1 or words[0] != body:
            raise QuerySyntaxError(
                f"prefix {term!r} is not a single word",
                offset=offset,
                expected="letters or digits only before the '*'",
            )
        if len(body) < MIN_PREFIX:
            raise QuerySyntaxError(
                f"prefix {term!r} is too short",
                offset=offset,
                expected=f"at least {MIN_PREFIX} letters before the '*'",
            )
    return _Token("word", body, offset, prefix=prefix)


class _Parser:
    """Recursive descent over the tokens; see the module docstring for the grammar."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        node = self.conjunction(depth=0, field=None)
        token = self.peek()
        if token.kind == "rparen":
            raise QuerySyntaxError(
                "unbalanced ')'", offset=token.offset, expected="a '(' before it to close"
            )
        if node is None:
            raise QuerySyntaxError(
                "nothing to search for", offset=token.offset, expected='a word or a "phrase"'
            )
        return node

    def conjunction(self, depth: int, field: Field | None) -> Node | None:
        """Operands side by side (or joined by AND) until ')' or the end."""
        items: list[Node] = []
        while True:
            token = self.peek()
            if token.kind in ("end", "rparen"):
                break
            if token.kind == "and":
                self.take()
                if not items or self.peek().kind in ("end", "rparen", "and", "or"):
                    raise QuerySyntaxError(
                        "dangling AND", offset=token.offset, expected=f"{_OPERAND} on both sides"
                    )
                continue
            if token.kind == "or":
                raise QuerySyntaxError(
                    "dangling OR", offset=token.offset, expected=f"{_OPERAND} before OR"
                )
            item = self.disjunction(depth, field)
            if item is not None:
                items.append(item)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def disjunction(self, depth: int, field: Field | None) -> Node | None:
        first = self.unary(depth, field)
        items = [first] if first is not None else []
        while self.peek().kind == "or":
            token = self.take()
            if not items:
                raise QuerySyntaxError(
                    "dangling OR", offset=token.offset, expected=f"{_OPERAND} before OR"
                )
            if self.peek().kind in ("end", "rparen", "or", "and"):
                raise QuerySyntaxError(
                    "dangling OR", offset=token.offset, expected=f"{_OPERAND} after OR"
                )
            nxt = self.unary(depth, field)
            if nxt is None:
                raise QuerySyntaxError(
                    "nothing to search for after OR",
                    offset=token.offset,
                    expected="a word with letters or digits after OR",
                )
            items.append(nxt)
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def unary(self, depth: int, field: Field | None) -> Node | None:
        token = self.peek()
        if token.kind in ("minus", "not"):
            self.take()
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError(
                    "too deeply nested", offset=token.offset, expected="fewer NOTs and ( )"
                )
            if self.peek().kind in ("end", "rparen", "or", "and"):
                raise QuerySyntaxError(
                    f"dangling {token.text}", offset=token.offset, expected=f"{_OPERAND} after it"
                )
            item = self.unary(depth + 1, field)
            if item is None:
                raise QuerySyntaxError(
                    f"nothing to leave out after {token.text}",
                    offset=token.offset,
                    expected="a word with letters or digits",
                )
            return Not(item)
        return self.atom(depth, field)

    def atom(self, depth: int, field: Field | None) -> Node | None:
        token = self.take()
        if token.kind == "field":
            if field is not None:
                raise QuerySyntaxError(
                    f"field {token.text}: inside {field.value}:( )",
                    offset=token.offset,
                    expected="no field inside a field's group (fields do not nest)",
                )
            named = Field(token.text)
            operand = self.peek()
            if operand.kind not in ("word", "phrase", "lparen"):
                raise QuerySyntaxError(
                    f"empty field {named.value}:",
                    offset=token.offset,
                    expected=f"{_OPERAND} right after it",
                )
            node = self.atom(depth, named)
            if node is None:
                raise QuerySyntaxError(
                    f"empty field {named.value}:",
                    offset=token.offset,
                    expected="a word with letters or digits after it",
                )
            return node
        if token.kind == "lparen":
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError(
                    "too deeply nested", offset=token.offset, expected="fewer ( )"
                )
            inner = self.conjunction(depth + 1, field)
            closing = self.take()
            if closing.kind != "rparen":
                raise QuerySyntaxError(
                    "unbalanced '('", offset=token.offset, expected="a ')' to close it"
                )
            if inner is None:
                raise QuerySyntaxError(
                    "empty ( )", offset=token.offset, expected='a word or a "phrase" inside'
                )
            return inner
        if token.kind == "phrase":
            words = tuple(WORD_CHARS.findall(token.text))
            if not words:
                raise QuerySyntaxError(
                    "empty phrase", offset=token.offset, expected="words between the quotes"
                )
            return self._leaf(Phrase(words, field, token.offset))
        if token.kind == "word":
            if token.prefix:
                return self._leaf(Prefix(token.text, field, token.offset))
            words = tuple(WORD_CHARS.findall(token.text))
            if not words:
                return None  # punctuation: skipped
            if len(words) == 1:
                return self._leaf(Word(words[0], field, token.offset))
            return self._leaf(Phrase(words, field, token.offset))
        # ')' , OR, AND where an operand belongs: the callers catch the common cases first.
        raise QuerySyntaxError(
            f"unexpected {token.text or 'end of query'}", offset=token.offset, expected=_OPERAND
        )

    def _leaf(self, leaf: Leaf) -> Leaf:
        self.terms += 1
        if self.terms > MAX_QUERY_TERMS:
            raise QuerySyntaxError(
                "too many terms",
                offset=leaf.offset,
                expected=f"at most {MAX_QUERY_TERMS} words, phrases and prefixes",
            )
        return leaf


def parse(query: str) -> Node:
    """The tree of an editor's query. Raises QuerySyntaxError when it is malformed, empty or
    over the limits (``MAX_QUERY_CHARS`` characters, ``MAX_QUERY_TERMS`` terms)."""
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            "query too long",
            offset=MAX_QUERY_CHARS,
            expected=f"at most {MAX_QUERY_CHARS} characters",
        )
    return _Parser(_lex(query)).parse()


def leaves(node: Node) -> list[Leaf]:
    """Every word, phrase and prefix of a tree, in query order."""
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.item)
    return [node]


def positive_leaves(node: Node) -> list[Leaf]:
    """The leaves a match can be made of (those under an even number of NOTs): what snippets
    highlight and relevance scores."""
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in positive_leaves(item)]
    if isinstance(node, Not):
        return _negated_leaves(node.item)
    return [node]


def _negated_leaves(node: Node) -> list[Leaf]:
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in _negated_leaves(item)]
    if isinstance(node, Not):
        return positive_leaves(node.item)
    return []


def render(node: Node) -> str:
    """The tree as a fully parenthesised query that parses back to the same tree (offsets
    aside): for logs, tests and error messages."""
    if isinstance(node, And):
        return "(" + " AND ".join(render(i) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(render(i) for i in node.items) + ")"
    if isinstance(node, Not):
        return "NOT " + render(node.item)
    field = f"{node.field.value}:" if node.field else ""
    if isinstance(node, Phrase):
        return f'{field}"{" ".join(node.words)}"'
    if isinstance(node, Prefix):
        return f"{field}{node.text}*"
    return f"{field}{node.text}"
