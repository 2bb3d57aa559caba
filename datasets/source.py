"""Reading a dataset's file: its bytes, its encoding, its text.

The first step of every import (see ``pipeline.py``). What cannot be read
is a hard error (:class:`RowError`), in every mode: a missing or binary
file, or a UTF-8 file with a broken byte, which is refused naming its line
rather than read as another encoding and garbled.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


class RowError(Exception):
    """A file or a row that cannot be imported, and why."""

    def __init__(self, row: int | None, reason: str):
        self.row, self.reason = row, reason
        where = f"Row {row}: " if row is not None else ""
        super().__init__(f"{where}{reason}")


@dataclass(frozen=True)
class SourceFile:
    """A dataset file as read: its text (line ends made plain), the
    encoding it was read in, and the SHA-256 of its bytes."""

    path: Path
    text: str
    encoding: str
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


UTF8 = "UTF-8"
WINDOWS_1252 = "ISO-8859-1/Windows-1252"
LATIN_1 = "ISO-8859-1"

# Multi-byte UTF-8 sequences: a file that has them is meant as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def read_file(path: Path) -> SourceFile:
    """The file, decoded: UTF-8 (with or without a byte order mark), else
    Windows-1252 (what "ISO-8859-1" exports from Windows hold; SIPRI's are
    plain ISO-8859-1, which it reads alike), else ISO-8859-1. Stray carriage
    returns are dropped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RowError(None, f"no such file: {path}") from None
    except OSError as exc:
        raise RowError(None, f"cannot read {path}: {exc.strerror}") from None
    if b"\x00" in raw[:4096]:
        raise RowError(None, f"{path} is a binary file, not CSV")
    text, encoding = _decode(raw)
    return SourceFile(
        path=path,
        text=text.replace("\r\n", "\n").replace("\r", ""),
        encoding=encoding,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def _decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), UTF8
    except UnicodeDecodeError as exc:
        if any(_valid_utf8(m.group()) for m in _UTF8_SEQUENCE.finditer(raw)):
            line = raw.count(b"\n", 0, exc.start) + 1
            raise RowError(
                line,
                f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x}), though the rest "
                "of the file is: repair it, or save the file again as UTF-8",
            ) from None
    try:
        return raw.decode("cp1252"), WINDOWS_1252
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1"), LATIN_1


def _valid_utf8(sequence: bytes) -> bool:
    try:
        sequence.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
