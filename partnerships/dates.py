"""Dates known to a year, a month or a day, as research records hold them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.dateformat import format as format_date


class DatePrecision(models.TextChoices):
    YEAR = "year", "Year"
    MONTH = "month", "Month"
    DAY = "day", "Day"


_PARTIAL_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*$")


@dataclass(frozen=True)
class PartialDate:
    """A date with the precision it is known to, and whether it is an estimate."""

    date: dt.date
    precision: str = DatePrecision.DAY
    is_estimate: bool = False

    def __str__(self) -> str:
        if self.precision == DatePrecision.YEAR:
            text = str(self.date.year)
        elif self.precision == DatePrecision.MONTH:
            text = format_date(self.date, "F Y")
        else:
            text = format_date(self.date, "j F Y")
        return f"c. {text}" if self.is_estimate else text

    @property
    def iso(self) -> str:
        """The date in ISO 8601 cut to its precision: 2017, 2017-03, 2017-03-12."""
        if self.precision == DatePrecision.YEAR:
            return f"{self.date.year:04d}"
        if self.precision == DatePrecision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @classmethod
    def from_parts(
        cls, year: int, month: int | None = None, day: int | None = None
    ) -> PartialDate:
        """The date a record gives in parts: a year, a month of a year, or a
        day (raises ValueError for one that does not exist)."""
        if day is not None and month is None:
            raise ValueError("a day needs its month")
        if day is not None:
            precision = DatePrecision.DAY
        elif month is not None:
            precision = DatePrecision.MONTH
        else:
            precision = DatePrecision.YEAR
        return cls(dt.date(year, month or 1, day or 1), precision)

    @property
    def first_day(self) -> dt.date:
        """The first day the date can mean: 2017-03 is 1 March 2017."""
        return truncate_to_precision(self.date, self.precision)

    @property
    def last_day(self) -> dt.date:
        """The last day the date can mean: 2017-03 is 31 March 2017."""
        return extend_to_precision(self.date, self.precision)

    @classmethod
    def parse(cls, text: str, *, is_estimate: bool = False) -> PartialDate:
        """Read "2017", "2017-03" or "2017-03-12"; raise ValueError otherwise."""
        match = _PARTIAL_DATE.match(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a year (2017), a month (2017-03) "
                "or a full date (2017-03-12)."
            )
        year, month, day = match.groups()
        if day is not None:
            precision = DatePrecision.DAY
        elif month is not None:
            precision = DatePrecision.MONTH
        else:
            precision = DatePrecision.YEAR
        try:
            date = dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date: {exc}.") from None
        return cls(date=date, precision=precision, is_estimate=is_estimate)


def truncate_to_precision(date: dt.date, precision: str) -> dt.date:
    """The first day of the year or month that ``date`` stands for."""
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    return date


def extend_to_precision(date: dt.date, precision: str) -> dt.date:
    """The last day of the year or month that ``date`` stands for.

    An end known only to the month ("April 2005") is stored as the month's
    last day, so that the period a record covers runs from the first day its
    start could be to the last day its end could be: an exercise from
    13 April to "April 2005" ends on or after it starts.
    """
    if precision == DatePrecision.YEAR:
        return date.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date
