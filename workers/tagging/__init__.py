"""The tagger: places, people, organisations, IPTC Media Topics and keywords for a story.

Pure code with packaged data: no network, no Redis. ``warm_up()`` loads everything once per
process; ``tag_story`` loads lazily on first use when it was not called.
"""

from workers.tagging.tagger import tag_story, warm_up

__all__ = ["tag_story", "warm_up"]
