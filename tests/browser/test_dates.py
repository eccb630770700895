"""The page scripts write a moment exactly as the server does, in English
and in French (static/js/moments.js reads kernel/dates.py's table)."""

import datetime as dt

import pytest
from django.utils import translation

from kernel import dates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOMENTS = [
    dt.datetime(2026, 11, 30, 16, 5, tzinfo=dt.UTC),
    dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 7, 14, 23, 59, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_script_writes_what_the_server_writes(daphne_server, page, community, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": daphne_server.url}]
    )
    page.goto(f"{daphne_server.url}/")
    page.wait_for_function("window.CommonsMoments !== undefined")
    with translation.override(language):
        for moment in MOMENTS:
            written = page.evaluate("iso => window.CommonsMoments.moment(iso)", moment.isoformat())
            assert written == dates.moment(moment)
            day = page.evaluate("iso => window.CommonsMoments.day(iso)", moment.isoformat())
            assert day == dates.day(moment)
