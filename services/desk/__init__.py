"""The editors' command line: ``wiredesk stories`` lists, shows and counts stories."""

__all__: list[str] = []
