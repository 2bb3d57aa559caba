"""Importing the Multinational Military Exercises dataset (MME, D'Orazio and
Galambos).

One row per exercise, keyed on the dataset's own ``MMEID``. Each becomes a
partnership of kind ``exercise``: its participants (the wide ``StateA`` …
``StateAM`` columns, through the country resolver), its start and end with
the precision the data gives (``xx`` for an unknown day, ``-9`` for a
missing month or year), series, location with coordinates, the host
country where the location names one, and its domains and missions as tags.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import asdict, dataclass, field
from functools import cache

from django.utils import timezone

from core.names import normalise_name
from partnerships.dates import DatePrecision, PartialDate
from partnerships.models import (
    Country,
    ParticipantRole,
    PartnershipKind,
    PartnershipStatus,
)
from partnerships.reference_data import DEPENDENT_TERRITORIES, demonym_list

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
)
from .source import RowError, SourceFile

SCHEME = "mme"
FORMAT = "MME exercises"
REQUIRED_COLUMNS = [
    "MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon",
    "s.year", "s.month", "s.day", "e.year", "e.month", "e.day",
    "FocusDescription", "AdditionalParticipantInfo", "StateA",
]  # fmt: skip
MISSING = {"", "-9", "-99", "NA", "na", "."}
UNKNOWN_DAY = {"xx", "XX"}

# The dataset's yes/no columns, and the tag each stands for.
STATE_COLUMN = re.compile(r"State[A-Z]{1,2}")  # StateA … StateAM: the participants
DOMAINS = {
    "CPX": ("Command-post exercise", "A command-post exercise: staffs, not troops."),
    "Air": ("Air exercise", "An exercise with an air component."),
    "Land": ("Land exercise", "An exercise with a land component."),
    "Sea": ("Maritime exercise", "An exercise with a naval component."),
    "Amphibious": ("Amphibious exercise", "An exercise with an amphibious component."),
    "Cyber": ("Cyber exercise", "An exercise with a cyber component."),
}
MISSIONS = {
    "Warfighting": ("Warfighting", "An exercise that trains for combat."),
    "Peacekeeping": ("Peacekeeping", "An exercise that trains for peace operations."),
    "Humanitarian": (
        "Humanitarian assistance",
        "An exercise that trains for disaster relief, search and rescue or other "
        "humanitarian work.",
    ),
}
SOURCE_TITLE = "Multinational Military Exercises dataset (MME)"
SOURCE_AUTHORS = "D'Orazio and Galambos"


@dataclass(slots=True)
class Exercise:
    row: int
    external_id: str
    name: str
    series: str
    location: str
    latitude: float | None
    longitude: float | None
    start: PartialDate | None
    end: PartialDate | None
    tags: list[str]
    focus: str
    additional: str
    states: list[str] = field(default_factory=list)
    marked_missing: int = 0  # state cells holding -9: no one, not a name
    flags: list[Flag] = field(default_factory=list)

    def content(self) -> dict:
        data = asdict(self)
        data.pop("row")
        data.pop("marked_missing")
        data["flags"] = sorted(flag.key() for flag in self.flags)
        return data


# --- Parsing ------------------------------------------------------------------------

ID_LIMIT = 255


def _date(cells: dict, prefix: str, what: str, flags: RowFlags) -> PartialDate | None:
    """A start or end as precise as the data gives it; where a part does
    not exist (the 31st of June, a 13th month) the date as far as it does,
    flagged."""
    year, month, day = (
        cells[f"{prefix}.{part}"].strip() for part in ("year", "month", "day")
    )
    field = f"{what}_date"
    source = "-".join((year, month, day))
    if year in MISSING:
        return None
    if not re.fullmatch(r"\d{4}", year) or not 1900 <= int(year) <= 2100:
        flags.add(field, source, IssueReason.NOT_A_YEAR,
                  f"the {what} year “{year}” is not a year")  # fmt: skip
        return None
    if month in MISSING or month in UNKNOWN_DAY:
        return PartialDate.from_parts(int(year))
    if not month.isdecimal() or not 1 <= int(month) <= 12:
        flags.add(field, source, IssueReason.IMPOSSIBLE_DATE,
                  f"the {what} month “{month}” is not a month (1 to 12)")  # fmt: skip
        return PartialDate.from_parts(int(year))
    if day in MISSING or day in UNKNOWN_DAY:
        return PartialDate.from_parts(int(year), int(month))
    last = calendar.monthrange(int(year), int(month))[1]
    if not day.isdecimal() or not 1 <= int(day) <= last:
        flags.add(field, source, IssueReason.IMPOSSIBLE_DATE,
                  f"the {what} day “{day}” is not a day of {year}-{int(month):02d}")  # fmt: skip
        return PartialDate.from_parts(int(year), int(month))
    return PartialDate.from_parts(int(year), int(month), int(day))


def _coordinate(value: str, what: str, limit: int, flags: RowFlags) -> float | None:
    value = value.strip()
    if value in MISSING:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
        message = f"the {what} “{value}” is not a number"
    else:
        message = f"the {what} {number} is out of range (±{limit})"
    if number is None or not -limit <= number <= limit:
        flags.add(what, value, IssueReason.COORDINATE_OUT_OF_RANGE, message)
        return None
    return number


def _yes(value: str, column: str, flags: RowFlags) -> bool:
    value = value.strip()
    if value in {"1", "1.0"}:
        return True
    if value not in {"0", "0.0"} and value not in MISSING:
        flags.add(column, value, IssueReason.NOT_YES_OR_NO,
                  f"{column} is “{value}”, not 1 or 0")  # fmt: skip
    return False


def parse(text: str) -> list[Exercise]:
    """The file's exercises, with their flags; RowError for another format
    or a row that cannot be read."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RowError(
            None,
            "unknown format: this is not a Multinational Military Exercises file "
            f"(the header lacks {', '.join(missing[:5])}{'…' if len(missing) > 5 else ''})",
        )
    state_columns = [c for c in columns if STATE_COLUMN.fullmatch(c)]
    exercises: list[Exercise] = []
    for cells in reader:
        row = reader.line_num
        if None in cells or None in cells.values():
            count = (
                len(columns)
                + len(cells.get(None, []))
                - list(cells.values()).count(None)
            )
            raise RowError(
                row,
                f"has {count} fields where the header has {len(columns)} (a truncated row?)",
            )
        if not any(v.strip() for v in cells.values()):
            continue
        exercises.append(_exercise(cells, row, state_columns))
    return _distinct_ids(exercises)


def _exercise(cells: dict, row: int, state_columns: list[str]) -> Exercise:
    flags = RowFlags(row)
    mmeid = cells["MMEID"].strip()
    if not mmeid:
        raise RowError(row, "has no MMEID")
    if len(mmeid) > ID_LIMIT:
        raise RowError(
            row, f"MMEID is {len(mmeid)} characters long (at most {ID_LIMIT})"
        )

    def text(column: str, limit: int | None = None) -> str:
        value = flags.text(cells[column] or "", column, limit=limit, one_line=True)
        return "" if value in MISSING else value

    name, series = text("Ex_Name", 255), text("Series_Name", 200)
    location = text("Location", 500).rstrip(" .")
    start = _date(cells, "s", "start", flags)
    end = _date(cells, "e", "end", flags)
    if start and end and end.last_day < start.first_day:
        flags.add(
            "end_date",
            "-".join(cells[f"e.{part}"].strip() for part in ("year", "month", "day")),
            IssueReason.ENDS_BEFORE_START,
            f"ends ({end.iso}) before it starts ({start.iso})",
        )
        end = None  # the start is the best reading; the end is uncertain
    tags = [
        tag
        for column, (tag, _) in (DOMAINS | MISSIONS).items()
        if column in cells and _yes(cells[column], column, flags)
    ]
    states, keys, marked_missing = [], set(), 0
    for column in state_columns:
        marked_missing += cells[column].strip() in MISSING - {""}
        state = text(column)
        if state and normalise_name(state) not in keys:
            keys.add(normalise_name(state))
            states.append(state)
    return Exercise(
        row=row,
        external_id=mmeid,
        name=name,
        series=series,
        location=location,
        latitude=_coordinate(cells["lat"], "latitude", 90, flags),
        longitude=_coordinate(cells["lon"], "longitude", 180, flags),
        start=start,
        end=end,
        tags=tags,
        focus=text("FocusDescription"),
        additional=text("AdditionalParticipantInfo"),
        states=states,
        marked_missing=marked_missing,
        flags=flags,
    )


def _distinct_ids(exercises: list[Exercise]) -> list[Exercise]:
    """One record per MMEID. A row that repeats another exactly is that
    record; a row with the same id and other values comes in too, under the
    id with "-2" ("-3"...) in the order of the file, so that it keeps its
    record from one import to the next. Either way the rows are flagged."""
    first: dict[str, Exercise] = {}
    seen: dict[str, int] = {}
    kept = []
    for exercise in exercises:
        mmeid = exercise.external_id
        if mmeid not in first:
            first[mmeid], seen[mmeid] = exercise, 1
            kept.append(exercise)
            continue
        earlier = first[mmeid]
        if _same_row(exercise, earlier):
            earlier.flags.append(
                Flag(earlier.row, "MMEID", mmeid, IssueReason.DUPLICATE_ID,
                     f"row {exercise.row} repeats this row exactly; imported once")
            )  # fmt: skip
            continue
        seen[mmeid] += 1
        exercise.external_id = f"{mmeid}-{seen[mmeid]}"
        exercise.flags.append(
            Flag(exercise.row, "MMEID", mmeid, IssueReason.DUPLICATE_ID,
                 f"repeats the MMEID {mmeid} of row {earlier.row} with other values; "
                 f"imported as {exercise.external_id}")
        )  # fmt: skip
        earlier.flags.append(
            Flag(earlier.row, "MMEID", mmeid, IssueReason.DUPLICATE_ID,
                 f"row {exercise.row} has this MMEID too, with other values; "
                 f"imported as {exercise.external_id}")
        )  # fmt: skip
        kept.append(exercise)
    return kept


def _same_row(one: Exercise, other: Exercise) -> bool:
    def values(exercise):
        data = exercise.content()
        data.pop("flags")
        return data

    return values(one) == values(other)


# --- The host country -------------------------------------------------------------------

WATERS = re.compile(
    r"^(?:sea|seas|ocean|gulf|bay|strait|straits|channel|sound|basin|waters)\b", re.I
)
WATERS_OF = re.compile(r"\b(?:sea|gulf|bay|strait|straits|ocean)\s+of\s*$", re.I)


@cache
def _subdivisions() -> dict[str, frozenset[str]]:
    """ISO 3166-2 subdivision names (pycountry) to the codes of the countries
    that have one so called: "tennessee" -> {"US"}, "sabah" -> {"MY"}."""
    import pycountry

    names: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        names.setdefault(normalise_name(subdivision.name), set()).add(
            subdivision.country_code
        )
    return {name: frozenset(codes) for name, codes in names.items()}


def hosts_in(
    location: str,
    parties: Parties,
    taking_part: dict[int, Country],
    demonyms: dict[str, Country],
) -> list[tuple[Actor, bool]]:
    """The host countries a location names, each with whether it takes
    part already (else it is added as host). A country a participant's
    adjective names counts too ("Turkish seaport of Marmaris").

    Careful where a word can mislead: a country named inside a body of
    water ("South China Sea", "Gulf of Thailand") does not count, nor one
    in a region of another country ("Panama City, Florida", "New Mexico",
    "Northern Ireland": ISO 3166-2 names). A country that does not take part
    is added only when a whole comma-separated part of the location names
    it ("Tanzania, Arusha"), and that name is not also another country's
    region ("Fort Stewart, Georgia"). A participant whose first-level region
    the location names is the host when no country is named ("Suffolk,
    Virginia", "New Jersey and Connecticut"); a location that names no state
    leaves the host empty."""
    resolver = parties.resolver
    regions = _subdivisions()
    parts = [p.strip().rstrip(".").strip() for p in location.split(",")]
    parts = [p for p in parts if p]
    whole: dict[int, Country] = {}
    for part in parts:
        # A location that is one name may be any spelling the resolver
        # knows ("Alaska"); in a longer one, only a country's own name.
        if len(parts) == 1:
            country = resolver.resolve_or_none(part)
        else:
            country = resolver.by_exact_name(part)
        if country is not None:
            whole[country.pk] = country

    words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w'’-]+", location)]
    taken = [False] * len(words)
    named: dict[int, Country] = {}
    elsewhere: set[str] = set()  # countries whose regions the location names
    ambiguous: set[int] = set()  # countries whose name is also a region's
    # Taking part, by ISO code: a participant whose region the location
    # names ("Fort Bragg, North Carolina") is the host.
    participating = {pk: c.alpha_2 for pk, c in taking_part.items() if c.alpha_2}
    in_region: set[int] = set()
    for size in range(5, 0, -1):
        for start in range(len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            phrase = " ".join(words[start : start + size])
            if not phrase[:1].isupper():
                continue  # "island" is a word, not Iceland ("Ísland")
            key = normalise_name(phrase)
            country = resolver.by_exact_name(phrase)
            if (
                country is None
                and demonyms.get(key)
                and demonyms[key].pk in taking_part
            ):
                country = demonyms[key]
            if country is None:
                # A region: "New Mexico", "Northern Ireland" anywhere; one
                # word only as a whole part ("Florida", "Sabah"), since
                # "Eastern" or "Central" are regions of many countries.
                if key in regions and (size > 1 or phrase in parts):
                    elsewhere |= regions[key]
                    owners = {
                        pk for pk, code in participating.items() if code in regions[key]
                    }
                    if len(owners) == 1:  # Florida: the US's, or Uruguay's
                        in_region |= owners
                    if size > 1:
                        taken[start : start + size] = [True] * size
                continue
            after = " ".join(words[start + size : start + size + 1])
            before = " ".join(words[max(0, start - 2) : start])
            if WATERS.match(after) or WATERS_OF.search(before):
                continue
            taken[start : start + size] = [True] * size
            named[country.pk] = country
            if key in regions and not regions[key] <= {country.alpha_2}:
                ambiguous.add(country.pk)

    hosts = []
    hosting: set[int] = set()

    def host(country: Country, takes_part: bool) -> None:
        if country.pk not in hosting:
            hosting.add(country.pk)
            hosts.append((Actor(name=country.name, country=country), takes_part))

    by_code = {c.alpha_2: c for c in taking_part.values() if c.alpha_2}
    for pk, country in {**named, **whole}.items():
        if pk not in taking_part and country.alpha_2 in DEPENDENT_TERRITORIES:
            # A territory is not a state: the state it belongs to hosts,
            # when it takes part ("Gibraltar": the United Kingdom).
            owner = by_code.get(DEPENDENT_TERRITORIES[country.alpha_2])
            if owner is not None:
                host(owner, True)
            continue
        named_in_part = pk in whole and pk in taking_part  # "Novo Selo, Bulgaria"
        if elsewhere and country.alpha_2 not in elsewhere and not named_in_part:
            continue  # the place is in another country's region
        if pk in taking_part:
            host(country, True)
        elif pk in whole and pk not in ambiguous:
            host(country, False)
    if not hosts:
        for pk in sorted(in_region):
            country = taking_part[pk]
            hosts.append((Actor(name=country.name, country=country), True))
    return hosts


def demonyms() -> dict[str, Country]:
    """Countries by their adjectives ("turkish" -> Türkiye), from the
    reference data's demonyms."""
    found = {}
    for country in Country.objects.exclude(demonym=""):
        for demonym in demonym_list(country.demonym):
            found[normalise_name(demonym)] = country
    return found


# --- The dataset ----------------------------------------------------------------------

PARTY_SCHEME = "mme-actor"


class MmeExercises(Dataset):
    """The Multinational Military Exercises dataset, for the import
    pipeline."""

    scheme = SCHEME
    title = "the Multinational Military Exercises dataset"
    file_description = "a Multinational Military Exercises file"
    noun, plural = "exercise", "exercises"

    def parse(self, source: SourceFile) -> Parsed:
        exercises = parse(source.text)
        notes = []
        no_states = sum(1 for e in exercises if not e.states)
        if no_states:
            notes.append(f"{no_states:,} exercise(s) name no participating state.")
        marked_missing = sum(e.marked_missing for e in exercises)
        if marked_missing:
            notes.append(
                f"{marked_missing:,} participant cell(s) hold the dataset's mark for "
                "a missing value (-9), not a name."
            )
        return Parsed(exercises, FORMAT, notes)

    def history_reason(self, parsed: Parsed) -> str:
        return "Imported from the Multinational Military Exercises dataset"

    def rows_of_column(self, column: str) -> RowLabel | None:
        if STATE_COLUMN.fullmatch(column):
            return RowLabel.PARTICIPANTS
        if column in DOMAINS or column in MISSIONS:
            return RowLabel.TAGS
        return super().rows_of_column(column)

    def resolve(
        self, records: list[Exercise], parties: Parties, known: ExternalIds
    ) -> Resolution:
        """Each exercise's participants, and its host where the location
        names one: a participant becomes the host, or a host is added."""
        participants: dict[str, Participants] = {}
        hosts_added = hosts_found = 0
        adjectives = demonyms()
        for exercise in records:
            chosen: dict[tuple, tuple[Actor, ParticipantRole]] = {}
            for state in exercise.states:
                actor = parties.get(state, exercise.row)
                chosen.setdefault(actor.key, (actor, ParticipantRole.PARTICIPANT))
            taking_part = {
                a.country.pk: a.country
                for a, _ in chosen.values()
                if a.country is not None
            }
            for actor, takes_part in hosts_in(
                exercise.location, parties, taking_part, adjectives
            ):
                if takes_part:
                    chosen[actor.key] = (chosen[actor.key][0], ParticipantRole.HOST)
                    hosts_found += 1
                else:
                    chosen[actor.key] = (actor, ParticipantRole.HOST)
                    hosts_added += 1
            participants[exercise.external_id] = list(chosen.values())
        note = (
            f"Host countries: {hosts_found:,} participants found named in the "
            f"location, {hosts_added:,} hosts added that the file does not list as "
            "participants."
        )
        return Resolution(participants, notes=[note])

    def draft(
        self, record: Exercise, participants: Participants, catalogues: Catalogues
    ) -> Draft:
        exercise = record
        taking_part = sorted(actor.display for actor, _ in participants)
        return Draft(
            fields=partnership_fields(exercise, taking_part),
            participants=participants,
            sources=[
                {
                    "title": f"{SOURCE_TITLE}, exercise {exercise.external_id}",
                    "publisher": SOURCE_AUTHORS,
                    "accessed_on": timezone.localdate(),
                }
            ],
            tags={name: TAGS[name] for name in exercise.tags},
        )


# Every tag an exercise can have: its name and description.
TAGS = dict((*DOMAINS.values(), *MISSIONS.values()))


def _name(exercise: Exercise, taking_part: list[str]) -> str:
    """The exercise's name; for one the data leaves unnamed, a description:
    "Unnamed exercise of Japan and United States, 25 January 2005"."""
    if exercise.name:
        return exercise.name
    states = taking_part[:3]
    if len(taking_part) > 3:
        states.append(f"{len(taking_part) - 3} more")
    who = " and ".join(
        [", ".join(states[:-1]), states[-1]] if len(states) > 1 else states
    )
    label = exercise.series or "Unnamed exercise"
    parts = [f"{label} of {who}" if who else label, str(exercise.start or "")]
    return ", ".join(p for p in parts if p) or f"Exercise {exercise.external_id}"


def partnership_fields(exercise: Exercise, taking_part: list[str]) -> dict:
    """An exercise's fields on its partnership."""
    # A sentence: "Maritime vessels and aircraft," ends with a full stop,
    # not after the comma.
    summary = exercise.focus[:1].upper() + exercise.focus[1:].rstrip(",;: ")
    if summary and summary[-1] not in ".!?":
        summary += "."
    if exercise.additional:
        summary = f"{summary}\n\nOn participants: {exercise.additional}".strip()
    start, end = exercise.start, exercise.end
    return {
        "kind": PartnershipKind.EXERCISE,
        "name": _name(exercise, taking_part)[:255],
        "summary": summary,
        "series": exercise.series[:200],
        "location": exercise.location[:500],
        "latitude": exercise.latitude,
        "longitude": exercise.longitude,
        "start_date": start.first_day if start else None,
        "start_precision": start.precision if start else DatePrecision.YEAR,
        "start_is_estimate": False,
        "end_date": end.last_day if end else None,
        "end_precision": end.precision if end else DatePrecision.YEAR,
        "end_is_estimate": False,
        # What the dates do not decide: the status today is read from them
        # (Partnership.current_status), not fixed on the day of the import.
        "status": PartnershipStatus.ACTIVE,
    }
