"""Importing the SIPRI Arms Transfers Database trade register.

Both of SIPRI's CSV exports are read:

* "all countries": notes, then ``Recipient,Supplier,Year of order, ,Number
  ordered, ,...``: one row per deal, an unnamed column after the year of
  order, the number ordered and the number delivered holding "?" when that
  value is uncertain, delivery years as "2015; 2016";
* per delivery year: ``SIPRI AT Database ID,Supplier,Recipient,...``: one
  row per deal and delivery year, so a deal spans several rows.

Each deal becomes a partnership of kind ``export``: supplier and recipient,
the system with quantities, condition, delivery years and TIVs, the order
year (with its estimate flag) and a source citation. Names go through the
country resolver; non-state actors (``*``), international organisations
(``**``) and "unknown supplier(s)" become organisations or blocs, never
countries, and the report says what became of every name that is not a
country.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import ClassVar, NamedTuple

from django.utils import timezone

from core.names import normalise_name
from partnerships.dates import DatePrecision
from partnerships.models import (
    ParticipantRole,
    PartnershipKind,
    PartnershipStatus,
    System,
    SystemCategory,
    SystemCondition,
)

from .entities import ExternalIds
from .flags import Flag, RowFlags
from .models import IssueReason
from .parties import Actor, Parties
from .pipeline import (
    Catalogues,
    Dataset,
    Draft,
    Parsed,
    Participants,
    Resolution,
    RowLabel,
    SystemLine,
    stable_hash,
    stable_id,
    stable_text,
)
from .source import RowError, SourceFile

SCHEME = "sipri"
SOURCE_URL = "https://www.sipri.org/databases/armstransfers"
ALL_COUNTRIES_HEADER = ["recipient", "supplier", "year of order"]
PER_YEAR_HEADER = "sipri at database id"
HEADER_SEARCH_LINES = 40
MAX_QUANTITY = 2_147_483_647  # what the database's integer columns hold
MAX_TIV = Decimal("1e11")  # 14 digits, 3 of them decimals
NAME_LIMIT = 255  # the longest name or designation a record holds
ALL_COUNTRIES = "all countries"
PER_YEAR = "per delivery year"

CONDITIONS = {
    "new": SystemCondition.NEW,
    "second hand": SystemCondition.SECOND_HAND,
    "second hand but modernized": SystemCondition.SECOND_HAND_MODERNISED,
    "second hand but modernised": SystemCondition.SECOND_HAND_MODERNISED,
}

# SIPRI's armament categories (per-year export).
CATEGORIES = {
    "aircraft": SystemCategory.AIRCRAFT,
    "air defence systems": SystemCategory.AIR_MISSILE_DEFENCE,
    "armoured vehicles": SystemCategory.ARMOURED_VEHICLE,
    "artillery": SystemCategory.ARTILLERY,
    "engines": SystemCategory.ENGINE,
    "missiles": SystemCategory.MISSILE,
    "naval weapons": SystemCategory.NAVAL_WEAPON,
    "satellites": SystemCategory.SATELLITE,
    "sensors": SystemCategory.RADAR,
    "ships": SystemCategory.NAVAL_VESSEL,
    "other": SystemCategory.OTHER,
}


class Rule(NamedTuple):
    pattern: str  # words, as a regular expression
    category: SystemCategory


# From a weapon description ("anti-tank missile", "air search radar") to a
# category (the all-countries export has none). SIPRI's descriptions end in
# their head noun, so the rules are tried against the end of the text first
# ("torpedo boat" is a boat, "anti-ship torpedo" a torpedo), then anywhere;
# first match wins.
UAV_RULE = Rule(r"uav|drone|unmanned aerial vehicle", SystemCategory.UAV)
DESCRIPTION_RULES = [
    Rule(
        r"engine|turbofan|turbojet|turboprop|turboshaft|gas turbine|diesel",
        SystemCategory.ENGINE,
    ),
    Rule(r"satellite", SystemCategory.SATELLITE),
    Rule(r"radar|sonar|eo system|recce system|sensor|sight", SystemCategory.RADAR),
    UAV_RULE,
    Rule(
        r"sam system|air defen[cs]e system|anti-aircraft gun|ciws|aa gun",
        SystemCategory.AIR_MISSILE_DEFENCE,
    ),
    Rule(r"tank destroyer", SystemCategory.ARMOURED_VEHICLE),
    Rule(
        r"torpedo|depth charge|naval gun|mine|asw rocket", SystemCategory.NAVAL_WEAPON
    ),
    Rule(
        r"missile|sam|aam|bomb|guided rocket|loitering munition|coastal defen[cs]e system",
        SystemCategory.MISSILE,
    ),
    Rule(
        r"aircraft|helicopter|trainer|awacs|aew|bomber|fighter|airship",
        SystemCategory.AIRCRAFT,
    ),
    Rule(
        r"ship|boat|frigate|destroyer|corvette|submarine|opv|cruiser|carrier|minesweeper"
        r"|minehunter|tug|landing craft|tanker|vessel|hovercraft",
        SystemCategory.NAVAL_VESSEL,
    ),
    Rule(
        r"tank|apc|ifv|vehicle|scout car|armoured car|mrap",
        SystemCategory.ARMOURED_VEHICLE,
    ),
    Rule(
        r"gun|howitzer|mortar|rocket launcher|mrl|artillery", SystemCategory.ARTILLERY
    ),
]


def _head_noun(pattern: str) -> re.Pattern:
    return re.compile(rf"\b(?:{pattern})$", re.I)


_HEAD_NOUN = [(_head_noun(rule.pattern), rule.category) for rule in DESCRIPTION_RULES]
_ANYWHERE = [
    (re.compile(rf"\b(?:{rule.pattern})\b", re.I), rule.category)
    for rule in DESCRIPTION_RULES
]
_UAV_HEAD_NOUN = _head_noun(UAV_RULE.pattern)


@functools.lru_cache(maxsize=4096)  # descriptions repeat through a file
def category_of(description: str, armament_category: str = "") -> SystemCategory:
    """The system category for a SIPRI weapon description (and, in the
    per-year export, its armament category: SIPRI counts drones as
    aircraft)."""
    text = description.strip()
    if armament_category:
        category = CATEGORIES.get(armament_category.strip().lower())
        if category == SystemCategory.AIRCRAFT and _UAV_HEAD_NOUN.search(text):
            return SystemCategory.UAV
        if category:
            return category
    for rules in (_HEAD_NOUN, _ANYWHERE):
        for pattern, category in rules:
            if pattern.search(text):
                return category
    return SystemCategory.OTHER


@dataclass(slots=True)
class Deal:
    row: int
    supplier: str
    recipient: str
    order_year: int | None
    order_year_is_estimate: bool
    designation: str
    description: str
    category: str
    ordered: int | None = None
    ordered_is_estimate: bool = False
    delivered: int | None = None
    delivered_is_estimate: bool = False
    delivery_years: list[int] = field(default_factory=list)
    delivery_years_are_estimates: bool = False
    condition: str = ""
    comments: str = ""
    tiv_per_unit: Decimal | None = None
    tiv_order: Decimal | None = None
    tiv_delivered: Decimal | None = None
    local_production: bool = False
    sipri_id: str = ""  # the per-delivery-year export's own deal id
    external_id: str = ""  # set once the names are resolved: see deal_ids()
    match_key: str = ""
    flags: list[Flag] = field(default_factory=list)
    # Numbers are whole or Decimal (written as text): no float, ever.
    holds_floats: ClassVar[bool] = False

    def content(self) -> dict:
        """What the row holds (its values are plain: no copy needed)."""
        data = dict(zip(CONTENT_FIELDS, _content_values(self), strict=True))
        data["flags"] = sorted(flag.key() for flag in self.flags) if self.flags else []
        return data


CONTENT_FIELDS = [f.name for f in fields(Deal) if f.name not in ("row", "flags")]
# Every field's value at once (one call, not a getattr a field): a
# fingerprint is taken of every row of every import.
_content_values = operator.attrgetter(*CONTENT_FIELDS)


@dataclass
class Register:
    """A parsed export: its deals, and when SIPRI generated it."""

    deals: list[Deal]
    format: str
    generated: dt.date | None = None
    rows_read: int = 0


# --- Parsing ------------------------------------------------------------------------


def _int(value: str, field: str, what: str, flags: RowFlags) -> int | None:
    number, text, message = _read_int(value, what)
    if message:
        flags.add(field, text, IssueReason.NOT_A_NUMBER, message)
    return number


@functools.lru_cache(maxsize=1 << 12)
def _read_int(value: str, what: str) -> tuple[int | None, str, str]:
    """A quantity cell as (the number, its text, what is wrong with it):
    quantities repeat through a file, each is read once."""
    value = value.strip()
    if not value:
        return None, "", ""
    try:
        number = int(value)
    except ValueError:
        return None, value, f"the {what} “{value}” is not a whole number"
    if 0 <= number <= MAX_QUANTITY:
        return number, value, ""
    message = (
        f"the {what} cannot be negative ({number})"
        if number < 0
        else f"the {what} {number:,} is more than any deal holds"
    )
    return None, value, message


_FOUR_DIGITS = re.compile(r"\d{4}")


@functools.lru_cache(maxsize=1024)
def _read_year(value: str) -> tuple[int | None, bool, str]:
    """A year cell as (the year, whether it is an estimate, the text that
    is no year): years repeat through a file, each is read once."""
    value = value.strip()
    estimate = value.endswith("?")
    number = value.rstrip("?").strip()
    if not number:
        return None, estimate, ""
    if not _FOUR_DIGITS.fullmatch(number) or not 1900 <= int(number) <= 2100:
        return None, estimate, number
    return int(number), estimate, ""


def _year(
    value: str, field: str, what: str, flags: RowFlags
) -> tuple[int | None, bool]:
    year, estimate, wrong = _read_year(value)
    if wrong:
        flags.add(field, value.strip(), IssueReason.NOT_A_YEAR,
                  f"the {what} “{wrong}” is not a year")  # fmt: skip
    return year, estimate


def _decimal(value: str, field: str, what: str, flags: RowFlags) -> Decimal | None:
    number, number_text, wrong = _read_decimal(value)
    if wrong:
        message = (
            f"the {what} “{number_text}” is not a number"
            if wrong == _NOT_A_NUMBER
            else f"the {what} “{number_text}” is not a number SIPRI would give"
        )
        flags.add(field, value.strip(), IssueReason.NOT_A_NUMBER, message)
    return number


_NOT_A_NUMBER, _OUT_OF_RANGE = "not a number", "out of range"


@functools.lru_cache(maxsize=1 << 14)
def _read_decimal(value: str) -> tuple[Decimal | None, str, str]:
    """A number cell as (the number, its text, what is wrong with it): TIVs
    repeat through a file, each is read once (a Decimal does not change)."""
    number_text = value.strip().rstrip("?").strip()
    if not number_text:
        return None, "", ""
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        return None, number_text, _NOT_A_NUMBER
    if number.is_finite() and 0 <= number < MAX_TIV:
        return number, number_text, ""
    return None, number_text, _OUT_OF_RANGE


def _deliveries_after_order(
    order_year: int | None, delivery_years: Sequence[int], text: str, flags: RowFlags
) -> None:
    """A deal whose last delivery comes before its order ends before it
    starts: the order year is kept as the start, the end is left empty."""
    if order_year and delivery_years and max(delivery_years) < order_year:
        flags.add(
            "end_date",
            text,
            IssueReason.ENDS_BEFORE_START,
            f"the last delivery ({max(delivery_years)}) comes before the order "
            f"({order_year})",
        )


def _condition(value: str, flags: RowFlags) -> str:
    condition = _CONDITION_CELLS.get(value)
    if condition is None:
        condition = CONDITIONS.get(value.strip().lower())
        if condition is not None:
            _CONDITION_CELLS[value] = condition
    if condition is None:
        flags.add(
            "condition",
            value.strip(),
            IssueReason.UNKNOWN_VALUE,
            f"the status “{value}” is not New, Second hand or Second hand but modernized",
        )
        return ""
    return condition


# Cells as they read (a few distinct values through a file), each worked
# out once.
_CONDITION_CELLS: dict[str, str] = {}


@functools.lru_cache(maxsize=256)
def _flag(value: str) -> bool:
    return value.strip().lower() in {"?", "yes", "y", "true", "1", "estimate", "x"}


@functools.lru_cache(maxsize=1 << 12)
def _read_years(
    value: str,
) -> tuple[tuple[int, ...], bool, tuple[tuple[str, str], ...]]:
    """A cell of delivery years ("2015; 2016?") as (the years, whether any
    is an estimate, (text, the part that is no year) of each part that is
    not one): such cells repeat through a file, each is read once."""
    years: list[int] = []
    estimated = False
    wrong: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in value.split(";"))):
        year, estimate, no_year = _read_year(part)
        if no_year:
            wrong.append((part.strip(), no_year))
        if year is not None:
            years.append(year)
        estimated |= estimate
    return tuple(years), estimated, tuple(wrong)


def parse(text: str) -> Register:
    """Read either SIPRI export; raise RowError for an unknown format or a
    bad row (naming the line)."""
    lines = text.split("\n")
    generated = None
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        found = re.search(r"Data generated:\s*(\d{1,2} \w{3} \d{4})", line)
        if found:
            try:
                generated = dt.datetime.strptime(found.group(1), "%d %b %Y").date()  # noqa: DTZ007 (a date)
            except ValueError:
                generated = None
        cells = [c.strip().lower() for c in next(csv.reader([line]), [])]
        if cells[:3] == ALL_COUNTRIES_HEADER:
            return _parse_all_countries(lines, index, generated)
        if cells and cells[0] == PER_YEAR_HEADER:
            return _parse_per_year(lines, index, cells, generated)
    raise RowError(
        None,
        "unknown format: this is not a SIPRI trade register export (no "
        "'Recipient,Supplier,Year of order,…' or 'SIPRI AT Database ID,…' header "
        f"in the first {HEADER_SEARCH_LINES} lines)",
    )


ALL_COUNTRIES_FIELDS = 16


def _records(lines: list[str], header: int, width: int):
    """The data rows after the header, as (line number, cells). A comment
    with a line break splits a deal over two lines (the first short, the
    second holding the rest): such pairs are joined again."""
    reader = csv.reader(io.StringIO("\n".join(lines[header + 1 :])))
    pending = None
    for cells in reader:
        line = header + 1 + reader.line_num
        if not "".join(cells).strip():  # no value in any cell
            if pending is not None:
                yield pending
                pending = None
            continue
        if pending is not None:
            start, first = pending
            if len(first) < width and len(first) + len(cells) - 1 == width:
                yield (
                    start,
                    [*first[:-1], f"{first[-1]} {cells[0]}".strip(), *cells[1:]],
                )
                pending = None
                continue
            yield pending
            pending = None
        if len(cells) < width:
            pending = (line, cells)
            continue
        yield line, cells
    if pending is not None:
        yield pending


def _parse_all_countries(lines, header, generated) -> Register:
    deals: list[Deal] = []
    count = 0
    for line, cells in _records(lines, header, ALL_COUNTRIES_FIELDS):
        count += 1
        if len(cells) != ALL_COUNTRIES_FIELDS:
            raise RowError(
                line,
                f"has {len(cells)} fields where a deal has {ALL_COUNTRIES_FIELDS} "
                "(a truncated or broken row?)",
            )
        (recipient, supplier, year, year_q, ordered, ordered_q, designation, description,
         delivered, delivered_q, years, status, comments, tiv_unit, tiv_order, tiv_delivered) = cells  # fmt: skip
        if not recipient.strip() or not supplier.strip():
            raise RowError(line, "has no supplier or no recipient")
        if not designation.strip():
            raise RowError(line, "has no weapon designation")
        flags = RowFlags(line)
        order_year, _ = _year(year, "start_date", "year of order", flags)
        delivery_years, years_estimated, no_years = _read_years(years)
        for text, no_year in no_years:
            flags.add("delivery_years", text, IssueReason.NOT_A_YEAR,
                      f"the delivery year “{no_year}” is not a year")  # fmt: skip
        _deliveries_after_order(order_year, delivery_years, years.strip(), flags)
        deals.append(
            Deal(
                row=line,
                supplier=flags.text(supplier, "supplier", label="the supplier"),
                recipient=flags.text(recipient, "recipient", label="the recipient"),
                order_year=order_year,
                order_year_is_estimate=_flag(year_q),
                designation=flags.text(designation, "designation", limit=NAME_LIMIT,
                                       label="the weapon designation"),
                description=flags.text(description, "description", label="the description"),
                category=category_of(description),
                ordered=_int(ordered, "quantity_ordered", "number ordered", flags),
                ordered_is_estimate=_flag(ordered_q),
                delivered=_int(delivered, "quantity_delivered", "number delivered", flags),
                delivered_is_estimate=_flag(delivered_q),
                delivery_years=list(delivery_years),
                delivery_years_are_estimates=years_estimated,
                condition=_condition(status, flags),
                comments=flags.text(comments, "summary", label="the comments"),
                tiv_per_unit=_decimal(tiv_unit, "tiv_per_unit", "TIV per unit", flags),
                tiv_order=_decimal(tiv_order, "tiv_order", "TIV for the order", flags),
                tiv_delivered=_decimal(tiv_delivered, "tiv_delivered", "TIV delivered", flags),
                flags=flags,
            )
        )  # fmt: skip
    return Register(deals, ALL_COUNTRIES, generated, count)


PER_YEAR_COLUMNS = [
    "sipri at database id",
    "supplier",
    "recipient",
    "designation",
    "description",
    "armament category",
    "order date",
    "order date is estimate",
    "numbers delivered",
    "numbers delivered is estimate",
    "delivery year",
    "delivery year is estimate",
    "status",
    "sipri estimate",
    "tiv deal unit",
    "tiv delivery values",
    "local production",
]


def _parse_per_year(lines, header, columns, generated) -> Register:
    missing = [c for c in PER_YEAR_COLUMNS if c not in columns]
    if missing:
        raise RowError(
            header + 1, f"the header lacks the column(s): {', '.join(missing)}"
        )
    index = {name: columns.index(name) for name in PER_YEAR_COLUMNS}
    grouped: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    count = 0
    for line, cells in _records(lines, header, len(columns)):
        count += 1
        if len(cells) != len(columns):
            raise RowError(
                line, f"has {len(cells)} fields where the header has {len(columns)}"
            )
        deal_id = cells[index["sipri at database id"]].strip()
        if not deal_id:
            raise RowError(line, "has no SIPRI AT Database ID")
        grouped[deal_id].append((line, cells))
    deals = []
    for deal_id, rows in grouped.items():
        line, first = rows[0]

        def cell(cells, name):
            return cells[index[name]]

        for other_line, other in rows[1:]:
            for name in ("supplier", "recipient", "designation", "order date"):
                if cell(other, name).strip() != cell(first, name).strip():
                    raise RowError(
                        other_line,
                        f"deal {deal_id} has a different {name} here than on line {line}",
                    )
        flags = RowFlags(line)
        order_year, order_estimate = _year(
            cell(first, "order date"), "start_date", "order date", flags
        )
        delivered = 0
        any_delivered = False
        years, years_estimated, tiv_delivered = [], False, Decimal(0)
        for row_line, cells in rows:
            row_flags = RowFlags(row_line)
            number = _int(
                cell(cells, "numbers delivered"),
                "quantity_delivered",
                "number delivered",
                row_flags,
            )
            if number is not None:
                delivered += number
                any_delivered = True
            year, estimate = _year(
                cell(cells, "delivery year"),
                "delivery_years",
                "delivery year",
                row_flags,
            )
            if year is not None:
                years.append(year)
            years_estimated |= estimate or _flag(
                cell(cells, "delivery year is estimate")
            )
            value = _decimal(
                cell(cells, "tiv delivery values"),
                "tiv_delivered",
                "TIV delivery value",
                row_flags,
            )
            tiv_delivered += value or 0
            if row_line != line:
                flags.extend(row_flags)
            else:
                flags[:0] = row_flags
        _deliveries_after_order(
            order_year,
            years,
            ", ".join(cell(c, "delivery year").strip() for _, c in rows),
            flags,
        )
        supplier, recipient = (
            cell(first, "supplier").strip(),
            cell(first, "recipient").strip(),
        )
        if not supplier or not recipient:
            raise RowError(line, "has no supplier or no recipient")
        if len(deal_id) > NAME_LIMIT:
            raise RowError(line, f"the SIPRI AT Database ID is {len(deal_id)} "
                           f"characters long (at most {NAME_LIMIT})")  # fmt: skip
        deals.append(
            Deal(
                row=line,
                sipri_id=deal_id,
                supplier=flags.text(supplier, "supplier", label="the supplier"),
                recipient=flags.text(recipient, "recipient", label="the recipient"),
                order_year=order_year,
                order_year_is_estimate=order_estimate
                or _flag(cell(first, "order date is estimate")),
                designation=flags.text(cell(first, "designation"), "designation",
                                       limit=NAME_LIMIT, label="the designation"),
                description=flags.text(cell(first, "description"), "description",
                                       label="the description"),
                category=category_of(
                    cell(first, "description"), cell(first, "armament category")
                ),
                delivered=delivered if any_delivered else None,
                delivered_is_estimate=any(
                    _flag(cell(c, "numbers delivered is estimate")) for _, c in rows
                ),
                delivery_years=sorted(years),
                delivery_years_are_estimates=years_estimated,
                condition=_condition(cell(first, "status"), flags),
                tiv_per_unit=_decimal(
                    cell(first, "tiv deal unit"), "tiv_per_unit", "TIV per unit", flags
                ),
                tiv_delivered=tiv_delivered if any_delivered else None,
                local_production=_flag(cell(first, "local production")),
                flags=flags,
            )
        )  # fmt: skip
    return Register(deals, PER_YEAR, generated, count)


# --- The dataset ----------------------------------------------------------------------

PARTY_SCHEME = "sipri-actor"
SYSTEM_SCHEME = "sipri-system"


class SipriRegister(Dataset):
    """SIPRI's trade register, in either export, for the import pipeline."""

    scheme = SCHEME
    title = "SIPRI's arms transfers data"
    file_description = "a SIPRI trade register export"
    noun, plural = "deal", "deals"

    def __init__(self):
        self.generated: dt.date | None = None

    def parse(self, source: SourceFile) -> Parsed:
        register = parse(source.text)
        self.generated = register.generated
        return Parsed(register.deals, register.format)

    def history_reason(self, parsed: Parsed) -> str:
        return f"Imported from SIPRI's trade register ({parsed.format} export)"

    def rows_of_column(self, column: str) -> RowLabel | None:
        if column in ("supplier", "recipient"):
            return RowLabel.PARTICIPANTS
        return super().rows_of_column(column)

    def resolve(
        self, records: list[Deal], parties: Parties, known: ExternalIds
    ) -> Resolution:
        # One list for every deal between the same two names (thousands of
        # deals name the same pair): the pipeline reads them, never changes
        # them, and works out what it needs of each list once.
        by_names: dict[tuple[str, str], Participants] = {}
        participants: dict[int, Participants] = {}
        for deal in records:
            found = by_names.get((deal.supplier, deal.recipient))
            if found is None:
                found = by_names[deal.supplier, deal.recipient] = [
                    (parties.get(deal.supplier, deal.row), ParticipantRole.SUPPLIER),
                    (parties.get(deal.recipient, deal.row), ParticipantRole.RECIPIENT),
                ]
            participants[id(deal)] = found
        deal_ids(records, participants)
        renames = match_across_exports(records, known)
        return Resolution(
            participants={deal.external_id: participants[id(deal)] for deal in records},
            renames=renames,
        )

    def draft(
        self, record: Deal, participants: Participants, catalogues: Catalogues
    ) -> Draft:
        deal = record
        systems = catalogues.of(System, SYSTEM_SCHEME, match=_category)
        system = systems.get(
            _system_key(deal.designation, deal.category),
            lambda: System(
                name=deal.designation, category=deal.category, summary=deal.description
            ),
        )
        (supplier, _), (recipient, _) = participants
        return Draft(
            fields=partnership_fields(deal, supplier, recipient),
            participants=participants,
            system_lines=[SystemLine(system, system_line(deal))],
            sources=[
                {
                    "title": "SIPRI Arms Transfers Database, trade register"
                    + (f", deal {deal.sipri_id}" if deal.sipri_id else ""),
                    "url": SOURCE_URL,
                    "publisher": SOURCE_PUBLISHER,
                    "accessed_on": self.generated or timezone.localdate(),
                }
            ],
            match_key=deal.match_key,
        )


SOURCE_PUBLISHER = "Stockholm International Peace Research Institute (SIPRI)"


@functools.lru_cache(maxsize=1 << 14)
def _system_key(designation: str, category: str) -> str:
    """A system's key in SIPRI's catalogue (designations repeat through a
    file: each is worked out once)."""
    return stable_id(normalise_name(designation), category)


def _category(system: System) -> tuple[str]:
    """A system is one per designation and category: a "Lynx" helicopter and
    a "Lynx" infantry fighting vehicle are two systems, the "HQ-9" of a "SAM
    system" and of a "naval SAM system" one."""
    return (system.category,)


def deal_ids(deals: list[Deal], participants: dict[int, Participants]) -> None:
    """Give each deal its id: SIPRI's own where the export has one (the
    per-delivery-year export), else its match key. The key is a hash of what
    identifies a deal in either export: the parties as resolved (so a
    respelt name, "Turkey" for "Turkiye", is still the same deal), the
    designation and the order year. Numbers and comments stay out of it:
    SIPRI revises them, and a revised deal is the same deal. Deals alike in
    all of these are numbered in the order of SIPRI's ids where the export
    has them, else of the file."""

    def order(deal: Deal):
        number = deal.sipri_id
        return (0, int(number), "") if number.isdecimal() else (1, 0, number or "")

    seen: Counter[str] = Counter()
    # The parties' part of the key, once per pair of names (they repeat
    # through a file): the text stable_id() hashes, made in two steps.
    pairs: dict[tuple[int, int], str] = {}
    in_order = sorted(deals, key=order) if any(d.sipri_id for d in deals) else deals
    for deal in in_order:
        (supplier, _), (recipient, _) = participants[id(deal)]
        pair = pairs.get((id(supplier), id(recipient)))
        if pair is None:
            pair = pairs[id(supplier), id(recipient)] = stable_text(
                *supplier.identity, *recipient.identity
            )
        key = stable_hash(
            f"{pair}|{stable_text(deal.designation, deal.order_year or '')}"
        )
        seen[key] += 1
        deal.match_key = key if seen[key] == 1 else f"{key}-{seen[key]}"
        deal.external_id = deal.sipri_id or deal.match_key


def match_across_exports(deals: list[Deal], known: ExternalIds) -> dict[str, str]:
    """A deal first imported from one export keeps its record when the
    other export brings it: a new id whose match key an earlier import
    stored takes over that record (SIPRI's id replaces the key as its id).
    Returns the ids to rename (old -> new)."""
    by_key: dict[str, str] | None = None  # read once a deal is not known
    renames = {}
    for deal in deals:
        if deal.external_id in known.ids:
            continue
        if by_key is None:
            by_key = {key: value for value, key in known.match_key_map().items()}
        earlier = by_key.get(deal.match_key)
        if earlier is None or earlier == deal.external_id:
            continue
        if deal.sipri_id and earlier not in renames:
            renames[earlier] = deal.sipri_id
        elif not deal.sipri_id:
            deal.external_id = earlier
    return renames


def system_line(deal: Deal) -> dict:
    """What the deal records of its system."""
    return {
        "quantity_ordered": deal.ordered,
        "quantity_ordered_is_estimate": deal.ordered_is_estimate,
        "quantity_delivered": deal.delivered,
        "quantity_delivered_is_estimate": deal.delivered_is_estimate,
        "condition": deal.condition,
        "delivery_years": deal.delivery_years,
        "delivery_years_are_estimates": deal.delivery_years_are_estimates,
        "local_production": deal.local_production,
        "tiv_per_unit": deal.tiv_per_unit,
        "tiv_order": deal.tiv_order,
        "tiv_delivered": deal.tiv_delivered,
    }


def partnership_fields(deal: Deal, supplier: Actor, recipient: Actor) -> dict:
    """A deal's fields on its partnership. The order year is the start; a
    deal is completed when all it ordered was delivered (ending in the last
    delivery year), active while deliveries go on, signed before any."""
    year = f", {deal.order_year}" if deal.order_year else ""
    what = f" ({deal.description})" if deal.description else ""
    fields = {
        "kind": PartnershipKind.EXPORT,
        "name": (
            f"{deal.designation}{what}: {supplier.display} to {recipient.display}{year}"
        )[:255],
        "summary": deal.comments,
        "start_date": dt.date(deal.order_year, 1, 1) if deal.order_year else None,
        "start_precision": DatePrecision.YEAR,
        "start_is_estimate": bool(deal.order_year and deal.order_year_is_estimate),
        "end_date": None,
        "end_precision": DatePrecision.YEAR,
        "end_is_estimate": False,
    }
    complete = (
        deal.ordered is not None
        and deal.delivered is not None
        and deal.delivered >= deal.ordered
    )
    if complete:
        fields["status"] = PartnershipStatus.COMPLETED
    elif deal.delivered:
        fields["status"] = PartnershipStatus.ACTIVE
    else:
        fields["status"] = PartnershipStatus.SIGNED
    last = max(deal.delivery_years) if deal.delivery_years else None
    if complete and last and (not deal.order_year or last >= deal.order_year):
        fields["end_date"] = dt.date(last, 12, 31)
        fields["end_is_estimate"] = deal.delivery_years_are_estimates
    return fields
