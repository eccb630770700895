"""Public governance pages: readable without an account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from governance.models import JournalEntry
from governance.selectors import journal_head
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_bylaws_page_is_public_and_lists_articles_in_charter_order(client, community):
    response = client.get(reverse("governance:bylaws"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Legal form") < html.index("Purpose") < html.index("Membership dues")
    assert "Legal structure — changes only by a legal-structure vote." in html


def test_bylaws_page_marks_each_entrenched_article_and_only_those(client, community):
    html = client.get(reverse("governance:bylaws")).content.decode()
    # 8 entrenched articles in the default charter, 2 ordinary.
    assert html.count('class="entrenched-note"') == 8
    section = html[html.index('id="article-dues"') :]
    section = section[: section.index("</section>")]
    assert "badge-ordinary" in section
    assert "entrenched-note" not in section


def test_bylaws_page_shows_decision_rules_readably(client, community):
    html = client.get(reverse("governance:bylaws")).content.decode()
    assert "more than 50 % of yes among yes and no" in html
    assert "at least 75 % of yes among yes and no" in html
    assert "at least 33.33 % of the electorate" in html
    assert "at least 10 % of the electorate" in html
    assert "announced to every member 14 days before voting opens" in html
    assert "a passed proposal takes effect 7 days after the vote closes" in html


def test_bylaws_page_before_founding_says_there_are_none(client, db):
    response = client.get(reverse("governance:bylaws"))
    assert response.status_code == 200
    assert "has not been founded yet" in response.content.decode()


def test_article_history_of_founding_version_names_the_founding_act(client, community):
    response = client.get(reverse("governance:article", args=["legal-form"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Version 1: Legal form" in html
    assert "The founding act" in html
    assert "Test Commons is a non-profit association" in html


def test_unknown_article_is_404(client, community):
    response = client.get(reverse("governance:article", args=["no-such-article"]))
    assert response.status_code == 404


def test_journal_page_is_public_newest_first(client, community):
    make_member("dan", admitted_days_ago=0)  # an entry after the genesis
    response = client.get(reverse("governance:journal"))
    assert response.status_code == 200
    html = response.content.decode()
    last = JournalEntry.objects.order_by("-seq").first()
    assert html.index(f'id="seq-{last.seq}"') < html.index('id="seq-1"')
    assert last.hash in html
    assert "genesis" in html


def test_journal_page_is_paginated_by_twenty_five(client, community):
    from governance import journal

    for number in range(30):
        journal.record(kind="test.filler", actor="", payload={"n": number})
    total = JournalEntry.objects.count()
    first = client.get(reverse("governance:journal")).content.decode()
    assert first.count('<li id="seq-') == 25
    assert f'id="seq-{total}"' in first
    assert "Older entries" in first
    second = client.get(reverse("governance:journal"), {"page": 2}).content.decode()
    assert second.count('<li id="seq-') == total - 25
    assert 'id="seq-1"' in second
    assert "Newer entries" in second


def test_journal_filters_by_kind(client, community):
    response = client.get(reverse("governance:journal"), {"kind": "genesis"})
    html = response.content.decode()
    assert html.count('<li id="seq-') == 1
    assert 'id="seq-1"' in html


def test_journal_unknown_kind_is_a_clear_400(client, community):
    response = client.get(reverse("governance:journal"), {"kind": "nonsense"})
    assert response.status_code == 400
    assert "There are no journal entries of kind" in response.content.decode()


def test_journal_until_must_be_a_number(client, community):
    response = client.get(reverse("governance:journal"), {"until": "12abc"})
    assert response.status_code == 400
    assert "must be a whole number" in response.content.decode()


def test_journal_until_starts_the_page_at_that_entry(client, community):
    for name in ("dan", "erin"):
        make_member(name, admitted_days_ago=0)
    assert JournalEntry.objects.count() == 3
    html = client.get(reverse("governance:journal"), {"until": 2}).content.decode()
    assert html.count('<li id="seq-') == 2
    assert 'id="seq-2"' in html


def test_audit_page_shows_the_current_head_and_the_steps(client, community):
    response = client.get(reverse("governance:audit"))
    assert response.status_code == 200
    html = response.content.decode()
    seq, head_hash = journal_head()
    assert f'<code class="hash" id="current-head">{seq}:{head_hash}</code>' in html
    # The footer on every page shows the same head.
    assert f'<code class="journal-head">{seq}:{head_hash}</code>' in html
    assert reverse("governance:chain_source") in html
    assert reverse("governance-api:journal_export") in html
    assert reverse("governance:journal_feed") in html
    assert "--expect-head SEQ:HASH" in html


def test_chain_py_is_served_as_a_python_attachment_from_the_file(client, db):
    from pathlib import Path

    from kernel import chain

    response = client.get(reverse("governance:chain_source"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert 'attachment; filename="chain.py"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == Path(chain.__file__).read_bytes()


def test_heads_feed_lists_recent_entries_with_seq_and_hash(client, community):
    response = client.get(reverse("governance:journal_feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    last = JournalEntry.objects.order_by("-seq").first()
    assert f"<title>{last.seq}:{last.hash}</title>" in body
    assert f"<title>1:{JournalEntry.objects.get(seq=1).hash}</title>" in body
    assert body.count("<entry>") == JournalEntry.objects.count()


def test_public_pages_refuse_post(client, community):
    response = client.post(reverse("governance:bylaws"))
    assert response.status_code == 405


def test_text_diff_marks_removed_and_added_words_and_keeps_the_rest():
    from governance.views import text_diff

    parts = text_diff(
        "Membership is free. Dues are 5 euros.", "Membership is free. Dues are 7 euros."
    )
    assert [(p.op, p.text) for p in parts] == [
        ("equal", "Membership is free. Dues are"),
        ("delete", " 5"),
        ("insert", " 7"),
        ("equal", " euros."),
    ]
    old = "".join(p.text for p in parts if p.op != "insert")
    new = "".join(p.text for p in parts if p.op != "delete")
    assert (old, new) == (
        "Membership is free. Dues are 5 euros.",
        "Membership is free. Dues are 7 euros.",
    )


def test_article_without_any_version_is_404(client, community):
    """An article row exists before its first version only while a passed
    amendment that creates it is being enacted."""
    from governance.models import BylawArticle
    from tests.proposals.helpers import amend

    voters = list(community.values())
    proposal = amend(community["alice"], voters, slug="empty", text="Soon.", enact=False)
    assert proposal.state == "passed"
    BylawArticle.objects.create(slug="empty", position=50)
    assert client.get(reverse("governance:article", args=["empty"])).status_code == 404


# --- Words and flows (issue 14.5) -------------------------------------------


def test_entrenched_articles_are_called_entrenched_on_every_page(client, community):
    from tests.proposals.helpers import draft

    amendment = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": "entrenched",
                "new_text": "We share tools.",
            }
        ],
    )
    client.force_login(community["alice"])
    pages = [
        reverse("members:home"),
        reverse("governance:bylaws"),
        reverse("governance:article", args=["purpose"]),
        reverse("proposals:create", args=["amendment"]) + "?article=purpose",
        reverse("proposals:detail", args=[amendment.pk]),
    ]
    for path in pages:
        html = client.get(path).content.decode().split("<main", 1)[1]
        assert "rotected" not in html, path  # no second word for the same thing
        assert "ntrenched" in html, path


def test_home_page_links_each_charter_article_to_its_page(client, community):
    html = client.get(reverse("members:home")).content.decode()
    for slug in ("legal-form", "purpose", "asset-lock", "dues"):
        assert f'href="{reverse("governance:article", args=[slug])}"' in html


def test_article_page_offers_a_change_that_opens_the_form_on_that_article(client, community):
    html = client.get(reverse("governance:article", args=["purpose"])).content.decode()
    link = reverse("proposals:create", args=["amendment"]) + "?article=purpose"
    assert f'href="{link}"' in html and "Propose a change to this article" in html
    client.force_login(community["alice"])
    form = client.get(link).content.decode()
    assert 'name="article_slug" value="purpose"' in form
    assert "Article to amend: <strong>Purpose</strong>" in form
