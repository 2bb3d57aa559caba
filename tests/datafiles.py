"""Dataset files for the importer tests: rows from factories, written in the
layouts SIPRI and the MME dataset publish.

``SipriDealFactory`` makes one deal of the "all countries" export,
``SipriDeliveryFactory`` one row of the per-delivery-year export,
``MmeExerciseFactory`` one exercise; the ``*_file`` functions write them out.
"""

import csv
import io
from pathlib import Path

import factory

SIPRI_NOTES = [
    "Transfers of major conventional arms from All countries  to All countries . "
    "Deals with deliveries made for the year range 'Not specified' to 'Not specified' ",
    "A '?' in a column indicates uncertain data.",
    "An empty field for 'Number ordered' indicates that data is not yet available.",
    "SIPRI trend-indicator values (TIVs) are in millions.",
    "",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.",
    "Data generated: 13 Mar 2025 10:02:49 AM",
]
SIPRI_ALL_COUNTRIES_HEADER = (
    "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,"
    "SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons"
)
SIPRI_DEAL_FIELDS = [
    "recipient", "supplier", "year", "year_uncertain", "ordered", "ordered_uncertain",
    "designation", "description", "delivered", "delivered_uncertain", "delivery_years",
    "status", "comments", "tiv_per_unit", "tiv_order", "tiv_delivered",
]  # fmt: skip
SIPRI_PER_YEAR_HEADER = [
    "SIPRI AT Database ID", "Supplier", "Recipient", "Designation", "Description",
    "Armament category", "Order date", "Order date is estimate", "Numbers delivered",
    "Numbers delivered is estimate", "Delivery year", "Delivery year is estimate",
    "Status", "SIPRI estimate", "TIV deal unit", "TIV delivery values", "Local production",
]  # fmt: skip


class SipriDealFactory(factory.DictFactory):
    recipient = "Pakistan"
    supplier = "China"
    year = factory.Sequence(lambda n: str(1990 + n % 30))
    year_uncertain = ""
    ordered = "4"
    ordered_uncertain = ""
    designation = factory.Sequence(lambda n: f"Type-{n:03d}")
    description = "frigate"
    delivered = "4"
    delivered_uncertain = ""
    delivery_years = factory.LazyAttribute(
        lambda d: f"{int(d.year) + 2}; {int(d.year) + 3}"
    )
    status = "New"
    comments = ""
    tiv_per_unit = "100"
    tiv_order = "400"
    tiv_delivered = "400"


class SipriDeliveryFactory(factory.DictFactory):
    deal_id = factory.Sequence(lambda n: str(50000 + n))
    supplier = "France"
    recipient = "India"
    designation = "Rafale"
    description = "FGA aircraft"
    category = "Aircraft"
    order_date = "2016"
    order_date_is_estimate = "No"
    delivered = "12"
    delivered_is_estimate = "No"
    delivery_year = "2020"
    delivery_year_is_estimate = "No"
    status = "New"
    sipri_estimate = ""
    tiv_unit = "55"
    tiv_delivered = "660"
    local_production = "No"


class MmeExerciseFactory(factory.DictFactory):
    """An exercise; ``states`` is a list, spread over StateA, StateB..."""

    MMEID = factory.Sequence(lambda n: f"mme{9000 + n}")
    Ex_Name = factory.Sequence(lambda n: f"Test Shield {n}")
    Series_Name = "Test Shield"
    Location = "Tanzania, Arusha"
    lat = "-3.386925"
    lon = "36.682995"
    s_year = "2005"
    s_month = "6"
    s_day = "10"
    e_year = "2005"
    e_month = "6"
    e_day = "20"
    CPX = "0"
    Air = "0"
    Land = "1"
    Sea = "0"
    Amphibious = "0"
    Cyber = "0"
    Warfighting = "1"
    Peacekeeping = "0"
    Humanitarian = "0"
    FocusDescription = "to improve interoperability"
    AdditionalParticipantInfo = ""
    states = factory.LazyFunction(lambda: ["Kenya", "Uganda"])


def _state_columns() -> list[str]:
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return [f"State{x}" for x in letters] + [f"StateA{x}" for x in letters[:13]]


MME_STATE_COLUMNS = _state_columns()  # StateA … StateAM
MME_HEADER = [
    "MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon", "StartDate",
    "s.year", "s.month", "s.day", "EndDate", "e.year", "e.month", "e.day",
    "CPX", "Air", "Land", "Sea", "Amphibious", "Cyber", "Warfighting",
    "Peacekeeping", "Humanitarian", "FocusDescription", "AdditionalParticipantInfo",
    *MME_STATE_COLUMNS,
]  # fmt: skip


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def sipri_lines(deals: list[dict]) -> list[str]:
    """The lines of an all-countries export: notes, header, one per deal."""
    rows = _csv([[deal[f] for f in SIPRI_DEAL_FIELDS] for deal in deals])
    return [*SIPRI_NOTES, SIPRI_ALL_COUNTRIES_HEADER, *rows.splitlines()]


def sipri_file(
    folder: Path, deals: list[dict], *, name="register.csv", encoding="iso-8859-1"
) -> Path:
    path = folder / name
    path.write_bytes(("\n".join(sipri_lines(deals)) + "\n").encode(encoding))
    return path


def sipri_per_year_file(
    folder: Path, deliveries: list[dict], *, name="per-year.csv"
) -> Path:
    keys = list(SipriDeliveryFactory._meta.declarations)
    path = folder / name
    text = _csv(
        [SIPRI_PER_YEAR_HEADER, *([row[k] for k in keys] for row in deliveries)]
    )
    path.write_text(text, encoding="utf-8")
    return path


def mme_row(exercise: dict) -> list[str]:
    states = exercise["states"] + [""] * (
        len(MME_STATE_COLUMNS) - len(exercise["states"])
    )

    def when(prefix):
        year, month, day = (exercise[f"{prefix}_{p}"] for p in ("year", "month", "day"))
        return f"{year}-{month}-{day}"

    values = {
        **{
            k.replace("_", ".", 1) if k[:2] in ("s_", "e_") else k: v
            for k, v in exercise.items()
        },
        "StartDate": when("s"),
        "EndDate": when("e"),
    }
    return [values[c] for c in MME_HEADER[: -len(MME_STATE_COLUMNS)]] + states


def mme_file(folder: Path, exercises: list[dict], *, name="mme.csv") -> Path:
    path = folder / name
    path.write_text(
        _csv([MME_HEADER, *(mme_row(e) for e in exercises)]), encoding="utf-8"
    )
    return path
