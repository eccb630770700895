"""No page throws a script error, for visitors or members: htmx, the live
debate and the page scripts run on every page. (The marketplace's filter
once had a checkbox named "matches", which hid the form's own matches()
method, and htmx threw on every load.)"""

import pytest

from tests.browser.helpers import log_in
from tests.contributions.factories import NeedFactory
from tests.proposals.factories import ProposalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("member", [None, "bob"])
def test_no_page_throws_a_script_error(daphne_server, page, community, member):
    proposal = ProposalFactory(author=community["alice"], title="Paint the hall", phase="voting")
    need = NeedFactory(posted_by=community["alice"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    if member:
        log_in(page, daphne_server.url, member)
    paths = [
        "/",
        "/proposals/",
        f"/proposals/{proposal.pk}/",
        f"/debates/{proposal.pk}/",
        "/bylaws/",
        "/bylaws/journal/",
        "/treasury/",
        "/contributions/",
        "/contributions/marketplace/",
        f"/contributions/needs/{need.pk}/",
        "/contributions/ledger/",
    ]
    if member:
        paths += ["/proposals/notifications/", "/proposals/new/amendment/", "/contributions/me/"]
    for path in paths:
        page.goto(f"{daphne_server.url}{path}")
        page.wait_for_load_state("networkidle")
    if member:  # the filter submits through htmx
        page.goto(f"{daphne_server.url}/contributions/marketplace/")
        page.get_by_label("Only needs matching my skills").check()
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state("networkidle")
    assert errors == []
