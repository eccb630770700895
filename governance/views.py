"""Public pages of the governance record: the bylaws in force, each article's
history, the journal, and how to verify it. No login is needed for any of them."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from governance import journal_text, selectors
from governance.decisions import decide_for
from governance.models import BylawArticle, DecisionClass
from governance.parameters import DECISION_CLASSES, PARAMETERS_ARTICLE
from kernel import chain
from kernel.money import format_cents

# A page a person reads through, sentence by sentence (the API pages by 100).
JOURNAL_PAGE_SIZE = 25
CHAIN_SOURCE = Path(chain.__file__)
_TOKENS = re.compile(r"\s*\S+|\s+")


@dataclass(frozen=True)
class DiffPart:
    op: str  # "equal", "insert" or "delete"
    text: str


def text_diff(old: str, new: str) -> list[DiffPart]:
    """Word-level difference between two texts, as runs of kept/added/removed text."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    parts: list[DiffPart] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(DiffPart("equal", "".join(old_tokens[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(DiffPart("delete", "".join(old_tokens[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(DiffPart("insert", "".join(new_tokens[j1:j2])))
    return parts


def _percent(pair) -> str:
    value = Fraction(*pair) * 100
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4g}"


def _rule_rows(parameters) -> list[dict]:
    labels = {
        DecisionClass.ORDINARY: _("Ordinary decisions (motions, ordinary articles, appointments)"),
        DecisionClass.BUDGET: _("Budgets"),
        DecisionClass.ENTRENCHED: _(
            "Legal-structure changes (entrenched articles and the decision rules)"
        ),
    }
    rows = []
    for name in DECISION_CLASSES:
        rule = parameters.rule_for(name)
        threshold = _percent(rule.threshold)
        if rule.threshold_inclusive:
            needed = _("at least %(pct)s %% of yes among yes and no") % {"pct": threshold}
        else:
            needed = _("more than %(pct)s %% of yes among yes and no") % {"pct": threshold}
        rows.append(
            {
                "name": name,
                "label": labels[name],
                "threshold": needed,
                "quorum": _("at least %(pct)s %% of the electorate votes (abstentions count)")
                % {"pct": _percent(rule.quorum)},
            }
        )
    return rows


@require_safe
def bylaws(request):
    parameters = selectors.current_parameters()
    return render(
        request,
        "governance/bylaws.html",
        {
            "versions": selectors.current_versions(),
            "parameters": parameters,
            "rule_rows": _rule_rows(parameters),
            "second_approval_above": format_cents(parameters.second_approval_above_cents),
            "parameters_article": PARAMETERS_ARTICLE,
        },
    )


def _result_explanation(proposal) -> str | None:
    """Why the enacting proposal passed, from its frozen rules and its tally."""
    if proposal is None or not proposal.rules or proposal.electorate_size is None:
        return None
    outcome = decide_for(
        rules_json=proposal.rules,
        decision_class=proposal.decision_class,
        yes=proposal.yes_count,
        no=proposal.no_count,
        abstain=proposal.abstain_count,
        electorate=proposal.electorate_size,
    )
    return outcome.explanation


@require_safe
def article(request, slug: str):
    try:
        record, versions = selectors.article_history(slug)
    except BylawArticle.DoesNotExist:
        versions = []
    if not versions:
        raise Http404(_("There is no article “%(slug)s” in the bylaws.") % {"slug": slug})
    history = []
    previous = None
    for version in versions:
        entry = {
            "version": version,
            "explanation": _result_explanation(version.enacted_by),
            "diff": None,
            "title_changed": False,
            "class_changed": False,
            "previous": previous,
        }
        if previous is not None:
            entry["diff"] = text_diff(previous.text, version.text)
            entry["title_changed"] = previous.title != version.title
            entry["class_changed"] = previous.article_class != version.article_class
        history.append(entry)
        previous = version
    history.reverse()  # newest first
    return render(
        request,
        "governance/article.html",
        {"article": record, "current": versions[-1], "history": history},
    )


def _positive_int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not value.isascii() or not value.isdigit():
        raise ValueError(value)
    return int(value)


def _kind_options(kinds: list[str]) -> list[tuple[str, str]]:
    """The kinds present, by their human names in the reader's language."""
    options = [(kind, journal_text.kind_label(kind)) for kind in kinds]
    return sorted(options, key=lambda option: option[1].casefold())


@require_safe
def journal(request):
    """The journal, newest first, each entry as a sentence with its record
    (payload, hashes) and a link to what it is about one click away."""
    kinds = selectors.journal_kinds()
    kind = request.GET.get("kind") or ""
    errors = []
    if kind and kind not in kinds:
        errors.append(_("There are no journal entries of kind “%(kind)s”.") % {"kind": kind})
    try:
        until = _positive_int(request.GET.get("until"))
    except ValueError:
        until = None
        errors.append(_("“Up to entry” must be a whole number."))
    if errors:
        return render(
            request,
            "governance/journal.html",
            {"errors": errors, "kinds": _kind_options(kinds), "kind": kind, "page_obj": None},
            status=400,
        )
    entries = selectors.journal_for_page(kind=kind or None, until=until)
    page_obj = Paginator(entries, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {}
    if kind:
        query["kind"] = kind
    if until is not None:
        query["until"] = until
    return render(
        request,
        "governance/journal.html",
        {
            "page_obj": page_obj,
            "entries": journal_text.read(page_obj.object_list),
            "kinds": _kind_options(kinds),
            "kind": kind,
            "until": until,
            "query": urlencode(query),
        },
    )


@require_safe
def audit(request):
    seq, head_hash = selectors.journal_head()
    return render(request, "governance/audit.html", {"head_seq": seq, "head_hash": head_hash})


@require_safe
def chain_source(request):
    """The verifier itself, served straight from the file the app runs."""
    return FileResponse(
        CHAIN_SOURCE.open("rb"),
        as_attachment=True,
        filename="chain.py",
        content_type="text/x-python; charset=utf-8",
    )
