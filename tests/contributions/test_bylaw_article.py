"""The Contributions article: declared to governance by the app (the
registry of `governance.parameters`), adopted and changed only by a passed
amendment, by an ordinary vote, its text derived from its values; the
database accepts its version only from the amendment that holds it."""

from __future__ import annotations

import pytest

from contributions import parameters
from contributions.services._common import rules
from governance.errors import InvalidAmendment
from governance.models import BylawVersion
from governance.parameters import (
    ArticleParameters,
    article_parameters,
    declared_articles,
    register_article,
)
from governance.selectors import current_version, parameters_in_force
from governance.services import clean_amendment
from kernel.errors import InvalidInput
from proposals.decision import required_decision_class
from tests.contributions.helpers import adopt_article
from tests.proposals.helpers import draft

pytestmark = pytest.mark.django_db


def test_the_app_declares_its_article_to_governance():
    assert article_parameters("contributions") is parameters.DECLARATION
    assert parameters.DECLARATION in declared_articles()
    assert article_parameters("moderation") is None


def test_the_registry_refuses_the_decision_rules_and_a_second_declaration():
    with pytest.raises(ValueError, match="governance's own"):
        register_article(ArticleParameters("decision-rules", "x", dict, lambda d: d, lambda d: ""))
    other = ArticleParameters("contributions", "Other", dict, lambda d: d, lambda d: "")
    with pytest.raises(ValueError, match="already declared"):
        register_article(other)
    register_article(parameters.DECLARATION)  # the same declaration again is harmless


def test_before_adoption_the_defaults_apply(community):
    assert current_version("contributions") is None
    assert parameters_in_force("contributions") == parameters.DEFAULTS.to_json()
    assert rules() == parameters.DEFAULTS


def test_an_amendment_of_the_article_is_validated_and_its_text_derived(community):
    cleaned = clean_amendment(
        article_slug="contributions",
        new_title="",
        new_class="ordinary",
        new_text="ignored",
        new_parameters={"credit_hundredths_per_hour": 150},
    )
    assert cleaned["new_title"] == "Contributions"
    assert cleaned["new_parameters"]["credit_hundredths_per_hour"] == 150
    assert "An hour given earns 1.50 credits." in cleaned["new_text"]
    with pytest.raises(InvalidInput, match="credit_hundredths_per_hour"):
        clean_amendment(
            article_slug="contributions",
            new_title="",
            new_class="ordinary",
            new_text="",
            new_parameters={"credit_hundredths_per_hour": 0},
        )
    with pytest.raises(InvalidAmendment, match="needs its new values"):
        clean_amendment(
            article_slug="contributions",
            new_title="",
            new_class="ordinary",
            new_text="An hour is worth a lot.",
        )


def test_other_articles_still_carry_no_parameters(community):
    with pytest.raises(InvalidAmendment, match="Only the decision rules carry parameters"):
        clean_amendment(
            article_slug="moderation",
            new_title="Moderation",
            new_class="ordinary",
            new_text="Be kind.",
            new_parameters={"x": 1},
        )


def test_it_is_an_ordinary_decision(community):
    amendments = [{"article_slug": "contributions", "new_class": "ordinary"}]
    assert required_decision_class(kind="amendment", amendments=amendments) == "ordinary"


def test_a_passed_amendment_adopts_the_article_and_its_values_apply(community):
    voters = list(community.values())
    adopt_article(community["alice"], voters, credit_hundredths_per_hour=150)
    version = current_version("contributions")
    assert version.number == 1 and version.article_class == "ordinary"
    assert version.enacted_by.decision_class == "ordinary"
    assert rules().credit_hundredths_per_hour == 150
    adopt_article(community["alice"], voters, monthly_cap_hundredths=500)
    assert current_version("contributions").number == 2
    assert rules().credit_hundredths_per_hour == 150
    assert rules().monthly_cap_hundredths == 500


def test_an_amendment_that_changes_nothing_is_refused(community):
    voters = list(community.values())
    adopt_article(community["alice"], voters, credit_hundredths_per_hour=150)
    with pytest.raises(InvalidAmendment, match="changes nothing"):
        draft(
            community["alice"],
            kind="amendment",
            amendments=[
                {
                    "article_slug": "contributions",
                    "new_title": "Contributions",
                    "new_class": "ordinary",
                    "new_parameters": parameters_in_force("contributions"),
                }
            ],
        )
    assert BylawVersion.objects.filter(article__slug="contributions").count() == 1
