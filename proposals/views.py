"""Proposal pages: thin views that parse input, call services and selectors."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.selectors import current_version, current_versions
from kernel.errors import DomainError, NotFound
from members.models import Member
from proposals import selectors, services
from proposals.forms import (
    AmendmentForm,
    AppointmentForm,
    BallotForm,
    BudgetLineFormSet,
    CoauthorForm,
    ProposalTextForm,
)
from proposals.models import Kind, State


def _proposal_or_404(pk, person):
    try:
        proposal = selectors.fresh_proposal(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not selectors.can_view(person, proposal):
        raise Http404(_("There is no proposal #%(id)s.") % {"id": pk})
    return proposal


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
        "can_edit": services.can_edit(request.user, proposal),
        "coauthor_form": CoauthorForm(),
        "revisions": proposal.revisions.order_by("number"),
        "budget_lines": _voted_budget_lines(proposal),
        **extra,
    }


def _voted_budget_lines(proposal):
    if proposal.kind != Kind.BUDGET or proposal.state != State.ENACTED:
        return []
    from treasury.selectors import budget_lines

    return budget_lines(proposal_id=proposal.pk)


def proposal_detail(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    return render(request, "proposals/detail.html", _detail_context(request, proposal))


@require_POST
def cast_ballot(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    form = BallotForm(request.POST)
    error = None
    status_code = 200
    if not request.user.is_authenticated:
        error, status_code = _("Log in to vote."), 403
    elif not form.is_valid():
        error, status_code = _("Choose yes, no or abstain."), 400
    else:
        try:
            result = services.cast_vote(
                proposal_id=proposal.pk, voter=request.user, choice=form.cleaned_data["choice"]
            )
        except DomainError as exc:
            error, status_code = exc.message, exc.http_status
        else:
            proposal.refresh_from_db()
            note = _("Your ballot is recorded: %(choice)s.") % {"choice": result.choice_label}
            if not request.htmx:
                messages.success(request, note)
                return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#vote")
    template = "proposals/partials/vote_panel.html" if request.htmx else "proposals/detail.html"
    context = _detail_context(request, proposal, ballot_form=form, vote_error=error)
    if request.htmx and error is None:
        context["vote_note"] = note
    return render(request, template, context, status=status_code)


def _amendment_context(request, data=None, initial=None):
    articles = current_versions()
    return AmendmentForm(data, articles=articles, initial=initial), articles


def _funds():
    from treasury.selectors import fund_choices

    return fund_choices()


def _contents_from_post(kind, request):
    """Parse the kind-specific part of the form: (contents kwargs, forms, valid)."""
    if kind == Kind.AMENDMENT:
        form, articles = _amendment_context(request, request.POST)
        if not form.is_valid():
            return None, {"amendment_form": form, "articles": articles}
        return {"amendments": [form.cleaned_data]}, {"amendment_form": form, "articles": articles}
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


def _empty_kind_forms(kind, proposal=None, *, article_slug=""):
    if kind == Kind.AMENDMENT:
        initial = None
        current = current_version(article_slug) if article_slug else None
        if current is not None:
            # Start from the text in force, so an amendment changes only what it means to.
            initial = {
                "article_slug": current.article.slug,
                "new_title": current.title,
                "new_class": current.article_class,
                "new_text": current.text,
            }
        if proposal is not None and proposal.amendments.exists():
            a = proposal.amendments.first()
            initial = {
                "article_slug": a.article_slug,
                "new_title": a.new_title,
                "new_class": a.new_class,
                "new_text": a.new_text,
            }
        form, articles = _amendment_context(None, initial=initial)
        return {"amendment_form": form, "articles": articles}
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


@login_required
def proposal_create(request, kind):
    if kind not in Kind.values:
        raise Http404(_("Unknown kind of proposal."))
    if request.method == "POST":
        text_form = ProposalTextForm(request.POST)
        contents, kind_forms = _contents_from_post(kind, request)
        if text_form.is_valid() and contents is not None:
            try:
                proposal = services.create_draft(
                    author=request.user,
                    kind=kind,
                    title=text_form.cleaned_data["title"],
                    body=text_form.cleaned_data["body"],
                    **contents,
                )
            except DomainError as exc:
                text_form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Draft saved. Submit it when you are ready for discussion.")
                )
                return redirect("proposals:detail", pk=proposal.pk)
        status = 400
    else:
        text_form = ProposalTextForm()
        kind_forms = _empty_kind_forms(kind, article_slug=request.GET.get("article", ""))
        status = 200
    return render(
        request,
        "proposals/form.html",
        {"text_form": text_form, "kind": kind, "kind_label": Kind(kind).label, **kind_forms},
        status=status,
    )


@login_required
def proposal_edit(request, pk):
    proposal = _proposal_or_404(pk, request.user)
    if not services.can_edit(request.user, proposal):
        messages.error(request, _("Only the authors of a proposal can edit it."))
        return redirect("proposals:detail", pk=proposal.pk)
    if not proposal.is_editable:
        messages.error(
            request,
            _("The text is frozen: the proposal is in %(state)s.")
            % {"state": proposal.get_state_display()},
        )
        return redirect("proposals:detail", pk=proposal.pk)
    status = 200
    if request.method == "POST":
        text_form = ProposalTextForm(request.POST)
        contents, kind_forms = _contents_from_post(proposal.kind, request)
        if text_form.is_valid() and contents is not None:
            try:
                services.update_proposal(
                    proposal_id=proposal.pk,
                    actor=request.user,
                    title=text_form.cleaned_data["title"],
                    body=text_form.cleaned_data["body"],
                    **contents,
                )
            except DomainError as exc:
                text_form.add_error(None, exc.message)
                status = exc.http_status
            else:
                messages.success(request, _("Your changes are saved as a new revision."))
                return redirect("proposals:detail", pk=proposal.pk)
        else:
            status = 400
    else:
        text_form = ProposalTextForm(initial={"title": proposal.title, "body": proposal.body})
        kind_forms = _empty_kind_forms(proposal.kind, proposal)
    return render(
        request,
        "proposals/form.html",
        {
            "text_form": text_form,
            "kind": proposal.kind,
            "kind_label": proposal.get_kind_display(),
            "proposal": proposal,
            **kind_forms,
        },
        status=status,
    )


def _post_action(request, pk, action, success):
    proposal = _proposal_or_404(pk, request.user)
    try:
        action(proposal)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("proposals:detail", pk=proposal.pk)


@login_required
@require_POST
def proposal_submit(request, pk):
    return _post_action(
        request,
        pk,
        lambda p: services.submit_proposal(proposal_id=p.pk, actor=request.user),
        _("Your proposal is open for discussion."),
    )


@login_required
@require_POST
def proposal_withdraw(request, pk):
    return _post_action(
        request,
        pk,
        lambda p: services.withdraw_proposal(proposal_id=p.pk, actor=request.user),
        _("Your proposal is withdrawn."),
    )


@login_required
@require_POST
def proposal_invite(request, pk):
    form = CoauthorForm(request.POST)
    username = form.data.get("username", "").strip()

    def invite(proposal):
        coauthor = Member.objects.filter(username=username).first()
        if coauthor is None:
            raise NotFound(_("There is no member called %(name)s.") % {"name": username})
        services.invite_coauthor(proposal_id=proposal.pk, actor=request.user, coauthor=coauthor)

    return _post_action(
        request, pk, invite, _("%(name)s can now edit this proposal.") % {"name": username}
    )


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


def proposal_roll(request, pk):
    """The published electorate roll, and how to check its commitment."""
    proposal = _proposal_or_404(pk, request.user)
    roll = selectors.published_roll(proposal)
    if roll is None:
        raise Http404(_("Voting has not opened: there is no roll yet."))
    return render(request, "proposals/roll.html", {"proposal": proposal, "roll": roll})
