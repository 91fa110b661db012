"""Wire formats, one module each, behind the ``WireFormat`` interface and a sniffing registry."""

from workers.formats.base import ParsedItem, WireFormat
from workers.formats.registry import FORMATS, detect, get_format

__all__ = ["FORMATS", "ParsedItem", "WireFormat", "detect", "get_format"]
