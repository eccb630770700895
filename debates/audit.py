"""What the audit recomputes for debates: moderation and edit histories.

- ``moderation``: every message's status is the one its journaled moderation
  steps give (hidden → review requested → restored or confirmed), and every
  moderation record in the database is journaled.
- ``revisions``: every message shows its latest revision, and its revisions
  are numbered 1, 2, 3… without gaps.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from debates.models import Argument, ArgumentRevision, ModerationAction
from governance.audit import journal_events
from kernel.audit import Audit, check

S = Argument.Status
A = ModerationAction.Action
STATUS_AFTER = {
    A.HIDDEN: S.HIDDEN,
    A.REVIEW_REQUESTED: S.UNDER_REVIEW,
    A.RESTORED: S.VISIBLE,
    A.CONFIRMED: S.HIDE_CONFIRMED,
}


@check("moderation")
def verify_moderation(audit: Audit) -> None:
    expected: dict[int, str] = {}
    journaled: Counter = Counter()
    kinds = [f"moderation.{action}" for action in A.values]
    for _seq, _at, kind, _actor, payload in journal_events(*kinds):
        action = kind.removeprefix("moderation.")
        expected[payload["argument"]] = STATUS_AFTER[A(action)]
        journaled[payload["argument"]] += 1
    recorded = Counter(ModerationAction.objects.values_list("argument_id", flat=True))
    for argument_id, status in Argument.objects.order_by("pk").values_list("pk", "status"):
        subject = f"debate message #{argument_id}"
        if status != expected.get(argument_id, S.VISIBLE):
            audit.report(
                subject,
                f"is {status}; its journaled moderation leaves it "
                f"{expected.get(argument_id, S.VISIBLE)}",
            )
        if recorded.get(argument_id, 0) != journaled.get(argument_id, 0):
            audit.report(subject, "its moderation records and the journal disagree")


@check("revisions")
def verify_revisions(audit: Audit) -> None:
    numbers: dict[int, list[int]] = defaultdict(list)
    latest: dict[int, tuple[str, str]] = {}
    for argument_id, number, body, html in (
        ArgumentRevision.objects.order_by("argument_id", "number")
        .values_list("argument_id", "number", "body", "body_html")
        .iterator(chunk_size=2000)
    ):
        numbers[argument_id].append(number)
        latest[argument_id] = (body, html)
    for argument_id, body, html, count in Argument.objects.order_by("pk").values_list(
        "pk", "body", "body_html", "revision_count"
    ):
        subject = f"debate message #{argument_id}"
        if numbers.get(argument_id) != list(range(1, count + 1)):
            audit.report(subject, "its revisions are not numbered 1 to its revision count")
        elif latest[argument_id] != (body, html):
            audit.report(subject, "its text is not its latest revision")
