"""Which rules decide a proposal: the decision class its changes require.

One definition, in Python here and in SQL in `proposals/triggers.py`
(`required_class`); tests/kernel/test_guards.py holds the two equal.
"""

from __future__ import annotations

from governance.models import ArticleClass, DecisionClass
from governance.parameters import PARAMETERS_ARTICLE
from governance.selectors import current_version
from proposals.models import Kind


def required_decision_class(*, kind: str, amendments: list[dict]) -> DecisionClass:
    """A change is a legal-structure (entrenched) decision when it touches an
    entrenched article or the decision rules, or would make an article
    entrenched or ordinary — demoting an entrenched article is itself
    entrenched, because the article is entrenched when it is touched. A
    budget is decided by the budget rule; everything else is ordinary."""
    if kind == Kind.BUDGET:
        return DecisionClass.BUDGET
    if kind != Kind.AMENDMENT:
        return DecisionClass.ORDINARY
    for amendment in amendments:
        if amendment["article_slug"] == PARAMETERS_ARTICLE:
            return DecisionClass.ENTRENCHED
        if amendment["new_class"] == ArticleClass.ENTRENCHED:
            return DecisionClass.ENTRENCHED
        version = current_version(amendment["article_slug"])
        if version is not None and version.is_entrenched:
            return DecisionClass.ENTRENCHED
    return DecisionClass.ORDINARY
