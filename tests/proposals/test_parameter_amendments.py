"""Amending an article that carries parameters on the site: the form shows
one field per value, starting from those in force; the article's own rules
refuse a bad value with the reason on the form; the text follows the values."""

from __future__ import annotations

import pytest

from governance.parameters import PARAMETERS_ARTICLE
from proposals.models import Amendment, Proposal
from tests.contributions.helpers import adopt_article

pytestmark = pytest.mark.django_db


def new_amendment_page(client, member, slug) -> str:
    client.force_login(member)
    response = client.get("/proposals/new/amendment/", {"article": slug})
    assert response.status_code == 200
    return response.content.decode()


def post_values(client, slug, title, article_class, **values):
    data = {
        "title": "Change the rules",
        "body": "Why we change them.",
        "article_slug": slug,
        "new_title": title,
        "new_class": article_class,
    }
    data.update({f"values-{name}": value for name, value in values.items()})
    return client.post("/proposals/new/amendment/", data)


DECISION_RULES = {
    "rules__ordinary__threshold": "1/2",
    "rules__ordinary__quorum": "1/10",
    "rules__budget__threshold": "1/2",
    "rules__budget__quorum": "1/10",
    "rules__entrenched__threshold": "3/4",
    "rules__entrenched__threshold_inclusive": "on",
    "rules__entrenched__quorum": "1/3",
    "discussion_days": "7",
    "notice_days": "14",
    "voting_days": "14",
    "timelock_days": "7",
    "min_tenure_days": "30",
    "second_approval_above_cents": "50000",
    "admission": "open",
    "ballot_secrecy": "roll_call",
    "tally_visible_during_vote": "on",
    "debate_posts_per_minute": "10",
}


def test_the_decision_rules_are_amended_by_their_values(client, community):
    page = new_amendment_page(client, community["alice"], PARAMETERS_ARTICLE)
    assert "Legal-structure changes: share of yes among yes and no" in page
    assert 'value="3/4"' in page and 'name="values-voting_days"' in page
    assert 'name="new_text"' not in page
    response = post_values(
        client,
        PARAMETERS_ARTICLE,
        "Decision rules",
        "entrenched",
        **{**DECISION_RULES, "voting_days": "21", "rules__ordinary__quorum": "1/5"},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.new_parameters["voting_days"] == 21
    assert amendment.new_parameters["rules"]["ordinary"]["quorum"] == [1, 5]
    assert "21" in amendment.new_text  # the text is written from the values
    assert amendment.new_class == "entrenched"


def test_a_value_the_rules_refuse_is_shown_on_the_form_and_nothing_is_saved(client, community):
    client.force_login(community["alice"])
    response = post_values(
        client,
        PARAMETERS_ARTICLE,
        "Decision rules",
        "entrenched",
        **{**DECISION_RULES, "rules__ordinary__threshold": "three quarters"},
    )
    assert response.status_code == 400
    assert "Write a fraction, like 1/2 or 3/4." in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.fixture
def adopted(community):
    """The community adopted the Contributions article by a vote."""
    return adopt_article(community["alice"], list(community.values()))


def test_the_contributions_article_is_amended_by_its_values_in_french(client, community, adopted):
    client.force_login(community["alice"])
    page = client.get(
        "/proposals/new/amendment/", {"article": "contributions"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Crédits que rapporte une heure donnée, en centièmes" in page
    assert 'name="values-credit_hundredths_per_hour"' in page and 'value="100"' in page
    response = post_values(
        client,
        "contributions",
        "Contributions",
        "ordinary",
        credit_hundredths_per_hour="150",
        monthly_cap_hundredths="20000",
        below_zero_allowed="on",
        lowest_balance_hundredths="-1000",
        dues_rebate="on",
        rebate_cents_per_credit="100",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    amendment = Amendment.objects.exclude(proposal=adopted).get()
    assert amendment.new_parameters["credit_hundredths_per_hour"] == 150
    assert amendment.new_parameters["dues_rebate"] is True


def test_a_rate_below_the_articles_floor_is_refused_with_its_reason(client, community, adopted):
    client.force_login(community["alice"])
    response = post_values(
        client,
        "contributions",
        "Contributions",
        "ordinary",
        credit_hundredths_per_hour="5",
        monthly_cap_hundredths="20000",
        lowest_balance_hundredths="0",
        rebate_cents_per_credit="0",
    )
    assert response.status_code == 400
    page = response.content.decode()
    # Beside the field, and in the summary as a link to it, in the field's words.
    assert (
        '<a href="#id_values-credit_hundredths_per_hour">Credits an hour given earns, in '
        "hundredths (100 = 1.00 credit): A whole number from 30 to 100000.</a>"
    ) in page
    field = page[page.index('name="values-credit_hundredths_per_hour"') - 600 :]
    assert 'aria-invalid="true"' in field[:900]
    assert "credit_hundredths_per_hour”" not in page
    assert Proposal.objects.get() == adopted  # no new draft


def test_editing_the_draft_starts_from_its_own_values(client, community):
    client.force_login(community["alice"])
    post_values(
        client,
        PARAMETERS_ARTICLE,
        "Decision rules",
        "entrenched",
        **{**DECISION_RULES, "voting_days": "21"},
    )
    proposal = Proposal.objects.get()
    page = client.get(f"/proposals/{proposal.pk}/edit/").content.decode()
    assert 'name="values-voting_days"' in page and 'value="21"' in page


def test_an_article_not_adopted_yet_is_offered_and_adopted_from_the_site(client, community):
    """The first adoption of an app's article needs no API: the picker offers
    it as a new article, starting from the defaults in force until then."""
    picker = new_amendment_page(client, community["alice"], "")
    assert '<option value="contributions"' in picker
    assert "Contributions (a new article, not adopted yet)" in picker
    page = new_amendment_page(client, community["alice"], "contributions")
    assert "Article to adopt: <strong>Contributions</strong>" in page
    assert 'name="values-credit_hundredths_per_hour"' in page and 'value="100"' in page
    assert "The text in force" not in page
    response = post_values(
        client,
        "contributions",
        "Contributions",
        "ordinary",
        credit_hundredths_per_hour="100",
        monthly_cap_hundredths="20000",
        lowest_balance_hundredths="0",
        rebate_cents_per_credit="0",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    amendment = Amendment.objects.get()
    assert (amendment.article_slug, amendment.new_class) == ("contributions", "ordinary")
    assert amendment.new_parameters["monthly_cap_hundredths"] == 20000


def test_an_adopted_article_is_no_longer_offered_as_new(client, community, adopted):
    picker = new_amendment_page(client, community["alice"], "")
    assert picker.count('<option value="contributions"') == 1
    assert "not adopted yet" not in picker


def test_a_decision_rule_the_rules_refuse_is_shown_beside_its_field(client, community):
    client.force_login(community["alice"])
    response = post_values(
        client,
        PARAMETERS_ARTICLE,
        "Decision rules",
        "entrenched",
        **{**DECISION_RULES, "voting_days": "0"},
    )
    assert response.status_code == 400
    assert '<a href="#id_values-voting_days">' in response.content.decode()
    assert "At least 1." in response.content.decode()
    assert not Proposal.objects.exists()
