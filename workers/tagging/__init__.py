"""The tagger: places, people, organisations, IPTC Media Topics and keywords for a story.

Pure code with packaged data: no network, no Redis. ``warm_up()`` loads everything once per
process; ``tag_story`` loads lazily on first use when it was not called.

What each language gets (the rules are written for English wire copy; other languages get
what does not depend on English grammar):

* English: everything: known names, titles, given-name and quote rules for people, organisation
  endings, tickers and company words, staff credits masked, parties resolved by country, places
  with context, topics from agency codes and from the text.
* German, French, Spanish, Italian, Portuguese, Dutch, Scandinavian, Finnish: places (with the
  countries' own names, 'Sverige', 'Deutschland', and umlaut spellings), the known lists with
  their own-language forms ('Grünen', 'Assemblée nationale', 'Partito democratico',
  'Arbeiderpartiet', 'CDU-Chef'), titles, tickers and legal suffixes (AG, SA, SpA, ASA), people
  by given name, staff signatures (dpa, AFP, EFE, NTB, ANSA); topics from agency subject codes
  only (the cue lists are English). A capitalised noun in German copy is never a small town:
  only places big enough to be sure count there.
* Other languages: places from the gazetteer and agency subject codes.
"""

from workers.tagging.tagger import tag_story, warm_up

__all__ = ["tag_story", "warm_up"]
