"""Proposal pages: thin views that parse input, call services and selectors."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.parameter_fields import fields_of
from governance.parameters import GovernanceParameters, validate_values
from governance.selectors import articles_to_amend, values_in_force
from kernel.errors import NotFound
from kernel.views import refusal_shown_on
from members.models import Member
from proposals import selectors, services
from proposals.forms import (
    AmendmentForm,
    AppointmentForm,
    BallotForm,
    BudgetLineFormSet,
    CoauthorForm,
    ParametersForm,
    ProposalTextForm,
)
from proposals.models import Kind, State
from proposals.permissions import can_view, is_author, require_editable
from proposals.phases import phase_of
from proposals.scheduler import apply_due_transitions
from treasury.selectors import budget_lines, fund_choices


def _proposal_or_404(pk, person):
    try:
        proposal = selectors.proposal_detail(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not can_view(person, proposal):
        raise Http404(_("There is no proposal #%(id)s.") % {"id": pk})
    return proposal


@apply_due_transitions
def proposal_list(request):
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    proposals = selectors.proposal_list(state=state, kind=kind, query=query, viewer=request.user)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/list.html",
        {
            "page": page,
            "states": State.choices,
            "kinds": Kind.choices,
            "state": state,
            "kind": kind,
            "query": query,
        },
    )


def _detail_context(request, proposal, **extra):
    status = selectors.voter_status(proposal, request.user)
    return {
        "proposal": proposal,
        "results": selectors.results(proposal),
        "status": status,
        "ballot_form": extra.pop("ballot_form", None) or BallotForm(),
        "timeline": selectors.timeline(proposal),
        "amendments": selectors.amendment_diffs(proposal),
        "published": selectors.published_ballots(proposal),
        "can_edit": is_author(request.user, proposal),
        "phase": phase_of(proposal),
        "coauthor_form": CoauthorForm(),
        "revisions": proposal.revisions.order_by("number"),
        "budget_lines": _voted_budget_lines(proposal),
        "budget_items": _budget_items(proposal),
        "ballot_secrecy": _ballot_secrecy(proposal),
        **extra,
    }


def _ballot_secrecy(proposal) -> str | None:
    """During the vote, whether ballots will be published by name after the
    close: the rules frozen when voting opened say so."""
    if proposal.state != State.VOTING or not proposal.rules:
        return None
    return GovernanceParameters.from_json(proposal.rules).ballot_secrecy


def _budget_items(proposal) -> list[dict]:
    """A budget proposal's lines, each with its fund's name (not its slug)."""
    if proposal.kind != Kind.BUDGET:
        return []
    names = dict(_funds())
    return [
        {
            "purpose": item.purpose,
            "amount_cents": item.amount_cents,
            "fund_name": names.get(item.fund, item.fund),
        }
        for item in proposal.budget_items.all()
    ]


def _voted_budget_lines(proposal):
    if proposal.kind != Kind.BUDGET or proposal.state != State.ENACTED:
        return []
    return budget_lines(proposal_id=proposal.pk)


@apply_due_transitions
def proposal_detail(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    # `?part=vote`: only the vote box, which the open page fetches again when
    # the proposal's state changes (debates/static/debates/debate.js).
    template = "proposals/partials/vote_panel.html" if request.GET.get("part") == "vote" else None
    return render(request, template or "proposals/detail.html", _detail_context(request, proposal))


@apply_due_transitions
@require_POST
def cast_ballot(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    form = BallotForm(request.POST)
    note = None
    # The service says why a ballot is refused (not logged in, not on the
    # roll, no valid choice, voting closed…); the panel shows that reason.
    with refusal_shown_on(form) as refusal:
        result = services.cast_vote(
            proposal_id=proposal.pk, voter=request.user, choice=request.POST.get("choice", "")
        )
        proposal.refresh_from_db()
        note = _("Your ballot is recorded: %(choice)s.") % {"choice": result.choice_label}
        if not request.htmx:
            messages.success(request, note)
            return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#vote")
    error = refusal.error.message if refusal.error else None
    template = "proposals/partials/vote_panel.html" if request.htmx else "proposals/detail.html"
    context = _detail_context(request, proposal, ballot_form=form, vote_error=error, vote_note=note)
    return render(request, template, context, status=refusal.status)


def _amendment_context(
    data=None, initial=None, *, chosen_slug="", choose=False, values=None, articles=None
):
    """The amendment form and its one article picker.

    The article is chosen first (the picker, or the article page's link with
    `?article=`), then its text in force is edited; `choose` shows the picker
    again to change it. An article that carries parameters (the decision
    rules, the Contributions article) is amended by its values instead, from
    ``values`` (an existing draft's) or those in force; its text is written
    from them."""
    articles = articles_to_amend() if articles is None else articles
    chosen = next((v for v in articles if v.article.slug == chosen_slug), None)
    parameter_fields = fields_of(chosen_slug) if chosen is not None else ()
    page = {
        "amendment_form": AmendmentForm(
            data, articles=articles, initial=initial, text_from_values=bool(parameter_fields)
        ),
        "articles": articles,
        "chosen_article": chosen,
        "choose_article": choose or (data is None and chosen is None),
    }
    if parameter_fields:
        page["parameters_form"] = ParametersForm(
            data,
            prefix="values",
            parameter_fields=parameter_fields,
            values=values if values is not None else values_in_force(chosen_slug),
            validate=partial(validate_values, chosen_slug),
        )
    return page


def _funds():
    return fund_choices()


def _contents_from_post(kind, request):
    """Parse the kind-specific part of the form: (contents kwargs, forms, valid)."""
    if kind == Kind.AMENDMENT:
        page = _amendment_context(request.POST, chosen_slug=request.POST.get("article_slug", ""))
        form, values_form = page["amendment_form"], page.get("parameters_form")
        # Both forms validated, so that every error shows at once.
        valid = [form.is_valid(), values_form is None or values_form.is_valid()]
        if not all(valid):
            return None, page
        amendment = dict(form.cleaned_data)
        if values_form is not None:
            amendment["new_text"] = ""  # written from the values by governance
            amendment["new_parameters"] = values_form.new_parameters()
        return {"amendments": [amendment]}, page
    if kind == Kind.BUDGET:
        formset = BudgetLineFormSet(request.POST, prefix="lines", form_kwargs={"funds": _funds()})
        if not formset.is_valid():
            return None, {"formset": formset}
        lines = [
            {
                "purpose": f.cleaned_data["purpose"],
                "amount_cents": int((f.cleaned_data["amount"] * Decimal(100)).to_integral_value()),
                "fund": f.cleaned_data["fund"],
            }
            for f in formset
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        return {"budget_items": lines}, {"formset": formset}
    if kind == Kind.APPOINTMENT:
        form = AppointmentForm(request.POST)
        if not form.is_valid():
            return None, {"appointment_form": form}
        return {"appointments": [form.cleaned_data]}, {"appointment_form": form}
    return {}, {}


def _empty_kind_forms(kind, proposal=None, *, article_slug="", choose=False):
    if kind == Kind.AMENDMENT:
        initial = values = None
        articles = articles_to_amend()
        current = next(
            (v for v in articles if article_slug and v.article.slug == article_slug), None
        )
        amendment = proposal.amendments.first() if proposal is not None else None
        chose_another = amendment is None or amendment.article_slug != article_slug
        if current is not None and chose_another:
            # Start from the text in force, so an amendment changes only what it means to.
            initial = {
                "article_slug": current.article.slug,
                "new_title": current.title,
                "new_class": current.article_class,
                "new_text": current.text,
            }
        elif amendment is not None:
            initial = {
                "article_slug": amendment.article_slug,
                "new_title": amendment.new_title,
                "new_class": amendment.new_class,
                "new_text": amendment.new_text,
            }
            values = amendment.new_parameters
        chosen = initial["article_slug"] if initial else ""
        return _amendment_context(
            initial=initial, chosen_slug=chosen, choose=choose, values=values, articles=articles
        )
    if kind == Kind.BUDGET:
        initial = []
        if proposal is not None:
            initial = [
                {"purpose": b.purpose, "amount": Decimal(b.amount_cents) / 100, "fund": b.fund}
                for b in proposal.budget_items.all()
            ]
        return {
            "formset": BudgetLineFormSet(
                prefix="lines", initial=initial or None, form_kwargs={"funds": _funds()}
            )
        }
    if kind == Kind.APPOINTMENT:
        initial = None
        if proposal is not None and proposal.appointments.exists():
            a = proposal.appointments.select_related("member").first()
            initial = {"member": a.member.username, "role": a.role, "action": a.action}
        return {"appointment_form": AppointmentForm(initial=initial)}
    return {}


def _has_errors(text_form, kind_forms) -> bool:
    """Whether the page's one error summary has anything to say."""
    formset = kind_forms.get("formset")
    forms = [
        text_form,
        kind_forms.get("amendment_form"),
        kind_forms.get("parameters_form"),
        kind_forms.get("appointment_form"),
    ]
    if (
        formset is not None
        and formset.is_bound
        and (formset.non_form_errors() or any(f.errors for f in formset))
    ):
        return True
    return any(f is not None and f.is_bound and f.errors for f in forms)


@login_required
def proposal_create(request, kind):
    if kind not in Kind.values:
        raise Http404(_("Unknown kind of proposal."))
    if request.method == "POST":
        text_form = ProposalTextForm(request.POST)
        contents, kind_forms = _contents_from_post(kind, request)
        status = 400
        if text_form.is_valid() and contents is not None:
            with refusal_shown_on(text_form) as refusal:
                proposal = services.create_draft(
                    author=request.user,
                    kind=kind,
                    title=text_form.cleaned_data["title"],
                    body=text_form.cleaned_data["body"],
                    **contents,
                )
                messages.success(
                    request, _("Draft saved. Submit it when you are ready for discussion.")
                )
                return redirect("proposals:detail", pk=proposal.pk)
            status = refusal.status
    else:
        text_form = ProposalTextForm()
        kind_forms = _empty_kind_forms(
            kind, article_slug=request.GET.get("article", ""), choose="choose" in request.GET
        )
        status = 200
    return render(
        request,
        "proposals/form.html",
        {
            "text_form": text_form,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "has_errors": _has_errors(text_form, kind_forms),
            **kind_forms,
        },
        status=status,
    )


@apply_due_transitions
@login_required
def proposal_edit(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    require_editable(request.user, proposal)  # refused: the reason, on its own page
    status = 200
    if request.method == "POST":
        text_form = ProposalTextForm(request.POST)
        contents, kind_forms = _contents_from_post(proposal.kind, request)
        if text_form.is_valid() and contents is not None:
            with refusal_shown_on(text_form) as refusal:
                services.update_proposal(
                    proposal_id=proposal.pk,
                    actor=request.user,
                    title=text_form.cleaned_data["title"],
                    body=text_form.cleaned_data["body"],
                    **contents,
                )
                messages.success(request, _("Your changes are saved as a new revision."))
                return redirect("proposals:detail", pk=proposal.pk)
            status = refusal.status
        else:
            status = 400
    else:
        text_form = ProposalTextForm(initial={"title": proposal.title, "body": proposal.body})
        kind_forms = _empty_kind_forms(
            proposal.kind,
            proposal,
            article_slug=request.GET.get("article", ""),
            choose="choose" in request.GET,
        )
    return render(
        request,
        "proposals/form.html",
        {
            "text_form": text_form,
            "kind": proposal.kind,
            "kind_label": proposal.get_kind_display(),
            "proposal": proposal,
            "has_errors": _has_errors(text_form, kind_forms),
            **kind_forms,
        },
        status=status,
    )


@apply_due_transitions
@login_required
@require_POST
def proposal_submit(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    services.submit_proposal(proposal_id=proposal.pk, actor=request.user)
    messages.success(request, _("Your proposal is open for discussion."))
    return redirect("proposals:detail", pk=proposal.pk)


@apply_due_transitions
@login_required
@require_POST
def proposal_withdraw(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    services.withdraw_proposal(proposal_id=proposal.pk, actor=request.user)
    messages.success(request, _("Your proposal is withdrawn."))
    return redirect("proposals:detail", pk=proposal.pk)


@apply_due_transitions
@login_required
@require_POST
def proposal_invite(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    username = CoauthorForm(request.POST).data.get("username", "").strip()
    coauthor = Member.objects.filter(username=username).first()
    if coauthor is None:
        raise NotFound(_("There is no member called %(name)s.") % {"name": username})
    services.invite_coauthor(proposal_id=proposal.pk, actor=request.user, coauthor=coauthor)
    messages.success(request, _("%(name)s can now edit this proposal.") % {"name": username})
    return redirect("proposals:detail", pk=proposal.pk)


@apply_due_transitions
def proposal_revision(request, pk, number):
    proposal = _proposal_or_404(pk, request.user)
    try:
        diff = selectors.revision_diff(proposal, number)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "proposals/revision.html", {"proposal": proposal, **diff})


@login_required
def my_ballots(request):
    return render(
        request, "proposals/my_ballots.html", {"ballots": selectors.my_ballots(request.user)}
    )


@login_required
def notifications(request):
    if request.method == "POST":
        services.mark_notifications_read(member=request.user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("proposals:notifications")
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "proposals/notifications.html", {"page": page})


@apply_due_transitions
def proposal_roll(request, pk):
    """The published electorate roll, and how to check its commitment."""
    proposal = _proposal_or_404(pk, request.user)
    roll = selectors.published_roll(proposal)
    if roll is None:
        raise Http404(_("Voting has not opened: there is no roll yet."))
    return render(request, "proposals/roll.html", {"proposal": proposal, "roll": roll})
