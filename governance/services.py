"""The governance service: the bylaws' versions and the rules of change.

Bylaw versions are created only here: by the founding act (`adopt_charter`,
version 1) and by `enact_article_version` when an enacted amendment says so;
the database refuses every other write.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from governance.charter import render_charter, validate_charter
from governance.errors import AlreadyFounded, InvalidAmendment
from governance.models import ArticleClass, BylawArticle, BylawVersion, JournalEntry
from governance.parameters import (
    PARAMETERS_ARTICLE,
    GovernanceParameters,
    article_parameters,
    describe,
)
from governance.selectors import current_parameters, current_version

logger = logging.getLogger(__name__)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def adopt_charter(*, community: str, charter: list[dict] | None = None) -> list[dict]:
    """Write version 1 of every article of the charter (the built-in one, or
    the one given). Part of the founding act (`members.services.found_community`):
    only before the journal's first entry do the guards accept bylaws without a
    vote. Returns the articles as the genesis entry records them."""
    if JournalEntry.objects.exists():
        raise AlreadyFounded(_("This community has already been founded."))
    articles = render_charter(community, validate_charter(charter) if charter else None)
    now = timezone.now()
    for article in articles:
        record = BylawArticle.objects.create(slug=article["slug"], position=article["position"])
        BylawVersion.objects.create(
            article=record,
            number=1,
            title=article["title"],
            article_class=article["class"],
            text=article["text"],
            parameters=article["parameters"],
            enacted_at=now,
        )
    return [
        {
            "slug": a["slug"],
            "title": a["title"],
            "class": a["class"],
            "version": 1,
            "text_sha256": _sha256(a["text"]),
            "parameters": a["parameters"],
        }
        for a in articles
    ]


def clean_amendment(
    *, article_slug: str, new_title: str, new_class: str, new_text: str, new_parameters=None
) -> dict:
    """Validate one article change; the decision-rules text is derived from its values."""
    article_slug = (article_slug or "").strip()
    if not article_slug:
        raise InvalidAmendment(_("Choose the article to amend."))
    if new_class not in ArticleClass.values:
        raise InvalidAmendment(_("An article is either ordinary or entrenched."))
    if article_slug == PARAMETERS_ARTICLE:
        if new_parameters is None:
            raise InvalidAmendment(_("The decision rules need their new values."))
        parameters = GovernanceParameters.from_json(new_parameters)
        if new_class != ArticleClass.ENTRENCHED:
            raise InvalidAmendment(_("The decision rules are always entrenched."))
        return {
            "article_slug": article_slug,
            "new_title": (new_title or "Decision rules").strip()[:200],
            "new_class": new_class,
            "new_text": describe(parameters),
            "new_parameters": parameters.to_json(),
        }
    declared = article_parameters(article_slug)
    if declared is not None:
        return _clean_parameters_amendment(declared, new_title, new_class, new_parameters)
    if new_parameters is not None:
        raise InvalidAmendment(_("Only the decision rules carry parameters."))
    new_title = (new_title or "").strip()
    new_text = (new_text or "").strip()
    if not new_title or not new_text:
        raise InvalidAmendment(_("An amended article needs a title and a text."))
    current = current_version(article_slug)
    if (
        current is not None
        and current.text == new_text
        and current.title == new_title
        and current.article_class == new_class
    ):
        raise InvalidAmendment(
            _("The amendment to “%(title)s” changes nothing.") % {"title": current.title}
        )
    return {
        "article_slug": article_slug,
        "new_title": new_title[:200],
        "new_class": new_class,
        "new_text": new_text,
        "new_parameters": None,
    }


def _clean_parameters_amendment(declared, new_title, new_class, new_parameters) -> dict:
    """An article whose parameters an app declared: its text is derived from
    the values, which its app validates; it must change something."""
    if new_parameters is None:
        raise InvalidAmendment(
            _("The article “%(title)s” needs its new values.") % {"title": declared.title}
        )
    parameters = declared.validate(new_parameters)
    title = (new_title or declared.title).strip()[:200]
    text = declared.describe(parameters)
    current = current_version(declared.slug)
    if (
        current is not None
        and current.parameters == parameters
        and current.title == title
        and current.article_class == new_class
    ):
        raise InvalidAmendment(
            _("The amendment to “%(title)s” changes nothing.") % {"title": current.title}
        )
    return {
        "article_slug": declared.slug,
        "new_title": title,
        "new_class": new_class,
        "new_text": text,
        "new_parameters": parameters,
    }


@transaction.atomic
def enact_article_version(
    *,
    proposal,
    slug: str,
    title: str,
    article_class: str,
    text: str,
    parameters: dict | None,
) -> BylawVersion:
    """Write the next version of an article (creating the article if it is
    new) on the authority of ``proposal``, a passed amendment whose timelock
    is over and which amends the article exactly so. The proposals app
    decides that it may enact; the database checks it again
    (`proposals/triggers.py`)."""
    article, _created = BylawArticle.objects.get_or_create(
        slug=slug, defaults={"position": BylawArticle.objects.count() + 1}
    )
    previous = current_version(slug)
    version = BylawVersion.objects.create(
        article=article,
        number=(previous.number + 1) if previous else 1,
        title=title,
        article_class=article_class,
        text=text,
        parameters=parameters,
        enacted_by_id=proposal.pk,
        enacted_at=timezone.now(),
    )
    journal.record(
        kind="bylaw.version_created",
        actor="",
        payload={
            "article": article.slug,
            "version": version.number,
            "title": version.title,
            "class": version.article_class,
            "text_sha256": _sha256(version.text),
            "parameters": version.parameters,
            "proposal": proposal.pk,
        },
    )
    return version


# Refused attempts journaled per person and hour. The first ones show the
# intent; beyond that, one account could fill the public journal with noise.
GUARD_ATTEMPTS_JOURNALED_PER_HOUR = 20


def record_guard_attempt(*, actor, path: str, target: str, reason: str) -> None:
    """Journal a refused attempt by a logged-in person to change a guarded thing.

    It runs in its own transaction, after the refused change rolled back, so
    the attempt is on record even though nothing changed. At most
    GUARD_ATTEMPTS_JOURNALED_PER_HOUR attempts per person are journaled in an
    hour; the last one journaled says that further attempts go unrecorded."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    with transaction.atomic():
        name = journal.actor_name(actor)
        since = journal.chain_timestamp(timezone.now() - timedelta(hours=1))
        recent = JournalEntry.objects.filter(kind="guard.refused", actor=name, at__gte=since)
        journaled = recent.count()
        if journaled >= GUARD_ATTEMPTS_JOURNALED_PER_HOUR:
            logger.warning("guard attempt by %s on %s not journaled (hourly limit)", name, target)
            return
        payload = {"path": path, "target": target, "reason": reason[:300]}
        if journaled == GUARD_ATTEMPTS_JOURNALED_PER_HOUR - 1:
            payload["further_attempts_this_hour"] = "not journaled"
        journal.record(kind="guard.refused", actor=actor, payload=payload)


def current_rules_snapshot() -> dict:
    """The rules frozen onto a proposal at submission."""
    return current_parameters().to_json()
