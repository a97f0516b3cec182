"""Reading foreign files safely: size caps, text decoding, quoted tokens, XML without a DTD.

XML is parsed with expat, which reports line numbers, and any document type declaration is
refused before its first entity could be declared: no entity expansion ("billion laughs"), no
external entity is ever fetched. GraphML and GEXF need no DTD.

References
----------
.. [1] Python documentation, "XML vulnerabilities",
   https://docs.python.org/3/library/xml.html#xml-vulnerabilities
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.parsers import expat

from kg.ingest.foreign.network import LIMITS, Limits, TooLarge

__all__ = ["XmlRefused", "decode", "parse_xml", "read_bytes", "split_quoted", "text_lines"]


class XmlRefused(Exception):
    """The XML declares a document type (entities could expand); ``line`` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def read_bytes(path: Path, limits: Limits = LIMITS) -> bytes:
    """The file's bytes; :class:`TooLarge` beyond ``limits.max_bytes`` (checked before reading)."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(
            f"the file is {size / 2**20:,.0f} MB, over the {limits.max_bytes // 2**20} MB limit "
            "for one import; split it"
        )
    with path.open("rb") as fh:
        data = fh.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:  # grew while we read it
        raise TooLarge(f"the file is over the {limits.max_bytes // 2**20} MB limit; split it")
    return data


def decode(data: bytes, name: str, notes: list[str]) -> str:
    """UTF-8 text (a byte-order mark is dropped); else Windows-1252, with a note saying so.

    Pajek and UCINET are Windows programs and often write Windows-1252; reading such a file as
    UTF-8 would fail on the first accented name.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        notes.append(
            f"{name}: not UTF-8 (first at line {line}); read as Windows-1252. If names look "
            "wrong, save the file as UTF-8 and import it again"
        )
        return data.decode("cp1252", errors="replace")


def text_lines(text: str):
    """``(line number, line)`` pairs, 1-based, without line endings."""
    return enumerate(text.splitlines(), start=1)


# Double quotes only: Pajek, UCINET and NetDraw quote so, and an apostrophe is part of a name.
_TOKEN = re.compile(r'"([^"]*)"|([^\s"]+)')
_TOKEN_COMMA = re.compile(r'"([^"]*)"|([^\s,"]+)')


def split_quoted(line: str, *, commas: bool = False) -> list[str]:
    """Split on whitespace (and commas if asked), keeping ``"quoted text"`` as one token.

    >>> split_quoted('12 "Alex Morgan" 0.5 0.2')
    ['12', 'Alex Morgan', '0.5', '0.2']
    >>> split_quoted('"ID","NAME", age', commas=True)
    ['ID', 'NAME', 'age']
    """
    pattern = _TOKEN_COMMA if commas else _TOKEN
    return [next(g for g in m.groups() if g is not None) for m in pattern.finditer(line)]


def parse_xml(
    data: bytes,
    start: Callable[[str, dict[str, str], int], None],
    end: Callable[[str, str, int], None],
) -> None:
    """Stream ``data`` through expat.

    ``start(name, attributes, line)`` and ``end(name, text, line)`` receive element names
    without their namespace prefix (``y:NodeLabel`` is ``NodeLabel``); ``text`` is the character
    data since the last tag, which is the element's text for the leaf elements that hold values.

    Raises
    ------
    XmlRefused
        The document declares a DTD or an entity.
    expat.ExpatError
        Not well-formed XML (``lineno`` says where).
    """
    parser = expat.ParserCreate()
    buf: list[str] = []

    def on_start(name, attrs):
        buf.clear()
        i = name.find(":")
        start(name[i + 1 :] if i >= 0 else name, attrs, parser.CurrentLineNumber)

    def on_end(name):
        text = "".join(buf)
        buf.clear()
        i = name.find(":")
        end(name[i + 1 :] if i >= 0 else name, text, parser.CurrentLineNumber)

    def refuse_doctype(*_):
        raise XmlRefused(
            "the file declares a document type (DOCTYPE); network files need none and it is "
            "refused for safety. Remove the <!DOCTYPE ...> declaration",
            parser.CurrentLineNumber,
        )

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = buf.append
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.buffer_text = True
    parser.Parse(data, True)
