"""Flags: values a dataset's row got wrong.

A value the publisher got wrong is data, not bad input: the row is
imported with the best reading of it (a date to the precision that does
exist, no end where the end comes before the start, no coordinate where it
is out of range...), and the value is kept verbatim in a flag that becomes a
``DataIssue`` for a researcher. ``--strict`` refuses a file with any flag.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from .models import IssueReason

# C0 and C1 control characters, and DEL; tabs and line breaks are text.
LINE_BREAKS = re.compile("[\n\r\v\f\x85\u2028\u2029]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FOUND = itertools.count()


@dataclass(frozen=True)
class Flag:
    row: int
    field: str  # the record's field the value went to, or the dataset's column
    value: str  # as the source gives it (control characters shown escaped)
    reason: IssueReason
    message: str  # what is wrong, in words: the report's and --strict's
    found: int = dataclass_field(default_factory=lambda: next(_FOUND), compare=False)

    def key(self) -> tuple[str, str, str]:
        """The same problem in another import of the same row."""
        return (self.field, self.value, self.reason)


class RowFlags(list[Flag]):
    """The flags of one row, as its parser finds them."""

    def __init__(self, row: int):
        super().__init__()
        self.row = row

    def add(self, field: str, value: str, reason: IssueReason, message: str) -> None:
        self.append(Flag(self.row, field, visible(value), reason, message))

    def text(
        self,
        value: str,
        field: str,
        *,
        limit: int | None = None,
        label: str = "",
        one_line: bool = False,
    ) -> str:
        """A text cell, stripped; control characters removed and a value
        longer than the field holds cut to fit, each flagged. ``label`` is
        how messages name the value (the field's name by default);
        ``one_line`` makes runs of white space one space."""
        value = value.strip()
        # Printable text (nearly every cell) holds no control character.
        printable = value.isprintable()
        if printable and not one_line and (limit is None or len(value) <= limit):
            return value  # nearly every cell: nothing to remove or cut
        label = label or field
        if not printable and CONTROL_CHARACTERS.search(value):
            self.add(
                field,
                value,
                IssueReason.CONTROL_CHARACTERS,
                f"{label} holds control characters, removed",
            )
            value = CONTROL_CHARACTERS.sub("", value).strip()
        if one_line:
            if LINE_BREAKS.search(value):
                # A name on two lines in the source: one line here, and the
                # source's value kept with the flag.
                self.add(
                    field,
                    value,
                    IssueReason.CONTROL_CHARACTERS,
                    f"{label} holds a line break, read as a space",
                )
            value = " ".join(value.split())
        if limit is not None and len(value) > limit:
            self.add(
                field,
                value,
                IssueReason.TOO_LONG,
                f"{label} is {len(value)} characters long (at most {limit})",
            )
            value = value[:limit].rstrip()
        return value


def visible(value: str) -> str:
    """The value with its control characters written out (``\\x0c``), so
    that what is kept verbatim can be shown anywhere."""
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
