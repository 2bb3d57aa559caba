import datetime as dt

import pytest

from partnerships.dates import DatePrecision, PartialDate, truncate_to_precision


@pytest.mark.parametrize(
    ("text", "date", "precision", "shown"),
    [
        ("2017", dt.date(2017, 1, 1), DatePrecision.YEAR, "2017"),
        ("2017-03", dt.date(2017, 3, 1), DatePrecision.MONTH, "March 2017"),
        ("2017-03-12", dt.date(2017, 3, 12), DatePrecision.DAY, "12 March 2017"),
        (" 1999-6 ", dt.date(1999, 6, 1), DatePrecision.MONTH, "June 1999"),
    ],
)
def test_a_partial_date_keeps_the_precision_it_was_typed_with(
    text, date, precision, shown
):
    parsed = PartialDate.parse(text)
    assert (parsed.date, parsed.precision, str(parsed)) == (date, precision, shown)


def test_an_estimated_date_reads_circa():
    assert str(PartialDate.parse("2019", is_estimate=True)) == "c. 2019"


def test_iso_form_is_cut_to_the_precision():
    assert PartialDate.parse("2017-03").iso == "2017-03"
    assert PartialDate.parse("2017").iso == "2017"


@pytest.mark.parametrize("text", ["abc", "17", "2017-13", "2017-02-30", "2017/03", ""])
def test_unreadable_or_impossible_dates_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="2017"):
        PartialDate.parse(text)


def test_truncate_to_precision_gives_the_first_day_of_the_period():
    day = dt.date(2021, 7, 18)
    assert truncate_to_precision(day, DatePrecision.YEAR) == dt.date(2021, 1, 1)
    assert truncate_to_precision(day, DatePrecision.MONTH) == dt.date(2021, 7, 1)
    assert truncate_to_precision(day, DatePrecision.DAY) == day
