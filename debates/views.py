"""Debate pages and the plain-form posts that work without JavaScript.

Each POST calls one service and redirects back to the page it came from, at
the debate (`#debate`); a refused post shows its reason as a form error.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from debates import selectors, services
from kernel.views import page_to_return_to, refusal_shown_on
from proposals.models import Proposal
from proposals.permissions import can_view


def _proposal_or_404(request, proposal_id: int):
    proposal = Proposal.objects.select_related("author").filter(pk=proposal_id).first()
    if proposal is None or not can_view(request.user, proposal):
        raise Http404(_("There is no such proposal."))
    return proposal


def debate_url(proposal_id: int) -> str:
    """The proposal page's debate, or the standalone page until that exists."""
    try:
        return reverse("proposals:detail", args=[proposal_id]) + "#debate"
    except NoReverseMatch:
        return reverse("debates:debate", args=[proposal_id]) + "#debate"


def _back(request, proposal_id: int, anchor: str = "debate"):
    target = page_to_return_to(request, fallback=debate_url(proposal_id))
    return redirect(target.split("#", 1)[0] + "#" + anchor)


@require_safe
def debate_page(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    return render(request, "debates/debate_page.html", {"proposal": proposal})


@require_POST
@login_required
def post_argument(request, proposal_id: int):
    proposal = _proposal_or_404(request, proposal_id)
    with refusal_shown_on() as refusal:
        argument = services.post_argument(
            actor=request.user,
            proposal_id=proposal.pk,
            body=request.POST.get("body", ""),
            stance=request.POST.get("stance", ""),
            parent_id=request.POST.get("parent") or None,
        )
        messages.success(request, _("Your message is posted."))
        return _back(request, proposal.pk, anchor=f"argument-{argument.pk}")
    # Show the page again with the text kept and the reason as a form error.
    context = {
        "proposal": proposal,
        "debate_form_error": refusal.error.message,
        "debate_form_data": {
            "body": request.POST.get("body", ""),
            "stance": request.POST.get("stance", ""),
            "parent": request.POST.get("parent", ""),
        },
    }
    return render(request, "debates/debate_page.html", context, status=refusal.status)


def _argument_action(service, success: str, *, with_body=False, with_reason=True):
    @require_POST
    @login_required
    def view(request, argument_id: int):
        argument = selectors.argument(argument_id)
        if argument is None:
            raise Http404(_("There is no such message."))
        kwargs = {"actor": request.user, "argument_id": argument.pk}
        if with_body:
            kwargs["body"] = request.POST.get("body", "")
        if with_reason:
            kwargs["reason"] = request.POST.get("reason", "")
        service(**kwargs)  # a refusal goes back with its reason (kernel.views)
        messages.success(request, success)
        return _back(request, argument.proposal_id, anchor=f"argument-{argument.pk}")

    return view


edit_argument = _argument_action(
    services.edit_argument,
    gettext_lazy("Your message is updated."),
    with_body=True,
    with_reason=False,
)
flag_argument = _argument_action(
    services.flag_argument, gettext_lazy("Thank you: the stewards will look.")
)
hide_argument = _argument_action(services.hide_argument, gettext_lazy("The message is hidden."))
request_review = _argument_action(
    services.request_review, gettext_lazy("Your review request is recorded.")
)
restore_argument = _argument_action(
    services.restore_argument, gettext_lazy("The message is restored.")
)
confirm_hiding = _argument_action(services.confirm_hiding, gettext_lazy("The hiding is confirmed."))


@require_safe
def moderation_log(request):
    page = Paginator(selectors.moderation_log(), 50).get_page(request.GET.get("page"))
    return render(request, "debates/moderation_log.html", {"page_obj": page})
