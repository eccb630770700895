"""One way to write dates and times (kernel/dates.py): the same moment reads
the same in templates, notifications and emails, in English and French, in
the community's time zone, named."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation

from kernel import dates

MOMENT = dt.datetime(2026, 11, 30, 16, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "30 November 2026, 16:05 UTC"), ("fr", "30 novembre 2026 à 16:05 UTC")],
)
def test_a_moment_in_each_language(language, expected):
    with translation.override(language):
        assert dates.moment(MOMENT) == expected
        assert dates.day(MOMENT) == expected.split(",")[0].split(" à")[0]


@override_settings(TIME_ZONE="Europe/Paris")
def test_times_are_in_the_community_time_zone_and_say_which():
    with translation.override("en"):
        assert dates.moment(MOMENT) == "30 November 2026, 17:05 Europe/Paris"
        # Late in the evening in UTC is already the next day in Paris.
        late = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
        assert dates.day(late) == "1 December 2026"


def test_templates_write_what_the_helper_writes():
    template = Template("{% load moments %}{{ when|moment }} / {{ when|day }}")
    for language in ("en", "fr"):
        with translation.override(language):
            rendered = template.render(Context({"when": MOMENT}))
            assert rendered == f"{dates.moment(MOMENT)} / {dates.day(MOMENT)}"


def test_stored_times_must_be_aware():
    with pytest.raises(ValueError):
        dates.moment(dt.datetime(2026, 1, 1))


def test_the_script_table_carries_the_same_words():
    with translation.override("fr"):
        table = dates.script_table()
    assert table["months"][10] == "novembre"
    assert table["moment"] == dates.MOMENT["fr"]
    assert table["zone"] == "UTC"


def test_the_first_of_a_month_is_written_the_french_way():
    first = dt.date(2026, 10, 1)
    with translation.override("fr"):
        assert dates.day(first) == "1er octobre 2026"
        assert dates.day(dt.date(2026, 10, 2)) == "2 octobre 2026"
    with translation.override("en"):
        assert dates.day(first) == "1 October 2026"
