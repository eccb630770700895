"""The default charter adopted by the founding act.

Each entry: slug, title, class, text. Communities adapt the text before
founding (`found_community --charter FILE.json`); afterwards it changes only
by vote.
"""

from __future__ import annotations

from governance.errors import InvalidAmendment
from governance.models import ArticleClass
from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters, describe

DEFAULT_CHARTER: list[dict] = [
    {
        "slug": "legal-form",
        "title": "Legal form",
        "class": "entrenched",
        "text": (
            "{community} is a non-profit association. It is not a company, has no shareholders "
            "and pays no profit to anyone. It cannot be converted into, merged with or absorbed "
            "by a profit-making body."
        ),
    },
    {
        "slug": "purpose",
        "title": "Purpose",
        "class": "entrenched",
        "text": (
            "The association exists to run, for its members and the public, a platform that its "
            "community designs, operates and finances together, and to keep it free of any "
            "single owner."
        ),
    },
    {
        "slug": "asset-lock",
        "title": "Asset lock",
        "class": "entrenched",
        "text": (
            "The association's assets — money, equipment, software, data, domain names and "
            "trademarks — serve its purpose only. They are never distributed to members, "
            "founders, officers or their relatives, and never transferred to a profit-making "
            "body, whether by sale, gift, licence or merger."
        ),
    },
    {
        "slug": "dissolution",
        "title": "Dissolution",
        "class": "entrenched",
        "text": (
            "The association is dissolved only by a legal-structure decision of its members. "
            "Its remaining assets then go to one or more non-profit bodies with a similar "
            "purpose, chosen by vote of the members."
        ),
    },
    {
        "slug": "control",
        "title": "No controlling owner",
        "class": "entrenched",
        "text": (
            "No person, founder or company controls the association, its data or its name. "
            "Roles give duties, not ownership; founders hold no power beyond that of any "
            "member. Every role is appointed and removed by vote."
        ),
    },
    {
        "slug": "admission",
        "title": "Admission",
        "class": "entrenched",
        "text": (
            "Anyone who accepts these bylaws may join. Membership is free. A member may leave at "
            "any time. Voting rights begin after the minimum tenure set in the decision rules."
        ),
    },
    {
        "slug": "rules-of-change",
        "title": "Rules of change",
        "class": "entrenched",
        "text": (
            "These bylaws change only by a proposal that the members pass by vote and that is "
            "enacted after its timelock. Entrenched articles, this article and the decision "
            "rules change only by a legal-structure decision: announced to every member with "
            "notice, passed by at least three quarters of yes among yes and no, with a turnout "
            "of at least one third of the electorate. Making an article ordinary, or making "
            "entrenched changes easier, is itself a legal-structure change."
        ),
    },
    {
        "slug": PARAMETERS_ARTICLE,
        "title": "Decision rules",
        "class": "entrenched",
        "parameters": "default",
    },
    {
        "slug": "moderation",
        "title": "Moderation",
        "class": "ordinary",
        "text": (
            "Stewards hide, never delete, messages that break the code of conduct, each time "
            "with a public reason. The author may ask for review; another steward then "
            "restores or confirms."
        ),
    },
    {
        "slug": "dues",
        "title": "Membership dues",
        "class": "ordinary",
        "text": (
            "Membership is free. Members may pay voluntary monthly dues; the amount suggested "
            "is 5 euros. Paying dues gives no extra vote."
        ),
    },
]


RESERVED_SLUGS = {"journal", "audit"}  # page addresses under /bylaws/


def validate_charter(data) -> list[dict]:
    """Check a charter: a non-empty list of articles, each with a slug, a
    title, a class ("ordinary"/"entrenched") and a text (or "parameters")."""
    if not isinstance(data, list) or not data:
        raise InvalidAmendment("The charter must be a non-empty JSON list of articles.")
    slugs = set()
    for number, article in enumerate(data, start=1):
        if not isinstance(article, dict):
            raise InvalidAmendment(f"Charter article {number} must be a JSON object.")
        missing = [key for key in ("slug", "title", "class") if not article.get(key)]
        if "text" not in article and "parameters" not in article:
            missing.append("text")
        if missing:
            raise InvalidAmendment(f"Charter article {number} is missing: {', '.join(missing)}.")
        slug = article["slug"]
        if not isinstance(slug, str) or not slug.replace("-", "").replace("_", "").isalnum():
            raise InvalidAmendment(f"Charter article {number}: slug {slug!r} is not a valid slug.")
        if slug in slugs:
            raise InvalidAmendment(f"Charter article {number}: slug {slug!r} appears twice.")
        if slug in RESERVED_SLUGS:
            raise InvalidAmendment(f"Charter article {number}: slug {slug!r} is reserved.")
        slugs.add(slug)
        if article["class"] not in ArticleClass.values:
            raise InvalidAmendment(
                f"Charter article {number} ({slug}): class must be 'ordinary' or 'entrenched'."
            )
        if "text" in article and (not isinstance(article["text"], str) or not article["text"]):
            raise InvalidAmendment(
                f"Charter article {number} ({slug}): text must be non-empty text."
            )
    return data


def render_charter(community: str, charter: list[dict] | None = None) -> list[dict]:
    """Resolve placeholders and the parameters article into concrete versions."""
    rendered = []
    for position, article in enumerate(charter or DEFAULT_CHARTER, start=1):
        entry = {
            "slug": article["slug"],
            "title": article["title"],
            "class": article["class"],
            "position": position,
            "parameters": None,
        }
        if article.get("parameters") == "default":
            parameters = GovernanceParameters()
            entry["parameters"] = parameters.to_json()
            entry["text"] = describe(parameters)
        elif isinstance(article.get("parameters"), dict):
            parameters = GovernanceParameters.from_json(article["parameters"])
            entry["parameters"] = parameters.to_json()
            entry["text"] = describe(parameters)
        else:
            entry["text"] = article["text"].replace("{community}", community)
        rendered.append(entry)
    return rendered
