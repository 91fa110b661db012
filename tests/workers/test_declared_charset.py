"""A charset a feed declares on the request is held to; one that cannot decode text at all is
a reason to quarantine, never a crash (found by the fuzzer, bench/fuzz)."""

from __future__ import annotations

import pytest

from workers.errors import DecodeError
from workers.tasks import check_declared_charset


@pytest.mark.parametrize("charset", ["undefined", "idna", "punycode", "rot13", "no-such-codec"])
def test_a_charset_that_cannot_decode_text_is_a_decode_error(charset: str) -> None:
    with pytest.raises(DecodeError, match="declared charset"):
        check_declared_charset(b"\xff\xfeLONDON (Reuters) - copy", f"text/plain; charset={charset}")


def test_bytes_that_are_not_the_declared_charset_name_the_offset() -> None:
    with pytest.raises(DecodeError, match="offset 6"):
        check_declared_charset(b"PARIS \xe9t\xe9", "text/plain; charset=utf-8")
