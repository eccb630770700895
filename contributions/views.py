"""Pages of the contribution economy: the public contributions page and time
ledger (no login), the live marketplace, needs, standing offers, and each
member's own page. Views parse input, call one service or selector and
render; a refusal becomes a form error, a flashed reason or the 403 page
(kernel/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from contributions import broadcasts, charts, forms, permissions, selectors, services
from contributions.models import NeedState, OfferState
from contributions.parameters import ARTICLE
from contributions.services._common import rules
from governance.selectors import current_version
from kernel.ids import as_id
from kernel.views import refusal_shown_on
from realtime.selectors import last_seq


def _need_or_404(pk):
    need = selectors.need_detail(pk)
    if need is None:
        raise Http404(_("There is no such need."))
    return need


# --- public ------------------------------------------------------------------------------


@require_safe
def overview(request):
    stats = selectors.public_stats()
    seq, head = selectors.time_head()
    open_needs = selectors.needs_page(filters=selectors.NeedFilters(), limit=8)
    return render(
        request,
        "contributions/overview.html",
        {
            "stats": stats,
            "months_chart": charts.hours_by_month(stats["months"]),
            "skills_chart": charts.hours_by_skill(stats["skills"]),
            "open_needs": open_needs,
            "head_seq": seq,
            "head_hash": head,
            "rules": rules(),
            "article": current_version(ARTICLE),
        },
    )


def _live_strings() -> dict:
    """The words the marketplace script writes, in the page's language."""
    return {
        "connecting": _("connecting…"),
        "live": _("on"),
        "reconnecting": _("reconnecting in %(seconds)s s…"),
        "offline": _("off (reload the page to see new needs)"),
        "online": _("online"),
        # The script picks the form by the number of people (one, or more).
        "people_one": ngettext(
            "%(accepted)s of %(people)s person", "%(accepted)s of %(people)s people", 1
        ),
        "people_other": ngettext(
            "%(accepted)s of %(people)s person", "%(accepted)s of %(people)s people", 2
        ),
        "posted_by": _("Posted by %(who)s"),
        "skills": _("Skills:"),
    }


@require_safe
def marketplace(request):
    wanted = selectors.skill_choices()
    requested = request.GET.get("skill", "")
    if requested and requested not in {s.slug for s in wanted}:
        wanted += list(selectors.Skill.objects.filter(slug=requested))
    form = forms.FilterForm(request.GET or None, skills=wanted)
    filters = selectors.NeedFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.NeedFilters(
            state=data["state"] if "state" in request.GET else NeedState.OPEN,
            skill=data["skill"],
            place=data["place"],
            matches=data["mine"],
            query=data["q"].strip(),
        )
    page = selectors.needs_page(
        filters=filters, viewer=request.user, before=as_id(request.GET.get("before"))
    )
    query = request.GET.copy()
    query.pop("before", None)
    taking_part = permissions.can_take_part(request.user)
    return render(
        request,
        "contributions/marketplace.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "standing_offers": selectors.standing_offers(limit=12),
            "alerts": selectors.alerts_for(request.user) if taking_part else [],
            "is_member": taking_part,
            "ws_path": "/ws/contributions/marketplace/",
            "last_seq": last_seq(broadcasts.marketplace_key()),
            "is_first_page": not request.GET.get("before"),
            "live_strings": _live_strings(),
        },
    )


@require_safe
def need_detail(request, pk):
    need = _need_or_404(pk)
    viewer = request.user
    is_beneficiary = permissions.is_beneficiary(viewer, need)
    offers = selectors.offers_of(need)
    mine = next(
        (
            o
            for o in offers
            if o.member_id == getattr(viewer, "pk", None)
            and o.state in (OfferState.PENDING, OfferState.REQUESTED, OfferState.ACCEPTED)
        ),
        None,
    )
    return render(
        request,
        "contributions/need.html",
        {
            "need": need,
            "offers": offers,
            "my_offer": mine,
            "contributions": selectors.contributions_of(need),
            "is_beneficiary": is_beneficiary,
            "is_member": permissions.can_take_part(viewer),
            "can_review": permissions.can_review(viewer),
            "can_approve_expenses": permissions.approves_payments(viewer, need),
            "offer_form": forms.OfferForm(),
            "reason_form": forms.ReasonForm(),
            "review_form": forms.ReviewForm(),
            "accepted": sum(1 for o in offers if o.state == OfferState.ACCEPTED),
        },
    )


@require_safe
def standing_offer_detail(request, pk):
    offer = selectors.standing_offer(pk)
    if offer is None:
        raise Http404(_("There is no such standing offer."))
    return render(
        request,
        "contributions/standing_offer.html",
        {
            "offer": offer,
            "form": forms.AskForm(),
            "is_member": permissions.can_take_part(request.user),
        },
    )


@require_safe
def account(request, reference):
    found = selectors.account_by_reference(reference)
    if found is None:
        raise Http404(_("There is no such account."))
    return render(request, "contributions/account.html", selectors.account_summary(found))


@require_safe
def ledger(request):
    seq, head = selectors.time_head()
    return render(
        request,
        "contributions/ledger.html",
        {"entries": selectors.recent_entries(50), "head_seq": seq, "head_hash": head},
    )


# --- members' actions --------------------------------------------------------------------


def _form_page(request, form, *, title, submit, intro="", status=200, cancel=None):
    return render(
        request,
        "contributions/form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "intro": intro,
            "cancel_url": cancel or reverse("contributions:marketplace"),
        },
        status=status,
    )


def _need_fields(data) -> dict:
    return {
        "title": data["title"],
        "description": data["description"],
        "skills": data["skills"],
        "people_needed": data["people_needed"],
        "estimated_minutes": data["hours"],
        "place": data["place"],
        "is_online": data["is_online"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "deadline": data["deadline"],
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_need(request):
    community = request.GET.get("community") == "1" or request.POST.get("community") == "1"
    form_class = forms.CommunityNeedForm if community else forms.NeedForm
    form = form_class(request.POST or None)
    with refusal_shown_on(form) as refusal:
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            extra = {}
            if community:
                extra = {
                    "is_community": True,
                    "beneficiary_role": data["beneficiary_role"],
                    "proposal_id": data["proposal"],
                    "budget_line_id": data["budget_line"],
                    "hourly_pay_cents": data["hourly_pay"] or 0,
                }
            need = services.post_need(actor=request.user, **_need_fields(data), **extra)
            return redirect("contributions:need", pk=need.pk)
    return render(
        request,
        "contributions/need_form.html",
        {"form": form, "community": community},
        status=refusal.status,
    )


@login_required
@require_POST
def offer_help(request, pk):
    form = forms.OfferForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    services.offer_help(actor=request.user, need_id=pk, message=message)
    messages.success(request, _("Your offer was sent."))
    return redirect("contributions:need", pk=pk)


@login_required
@require_POST
def close_need(request, pk):
    services.close_need(actor=request.user, need_id=pk, state=request.POST.get("state", ""))
    return redirect("contributions:need", pk=pk)


def _offer_action(service, success: str):
    @login_required
    @require_POST
    def action(request, pk):
        offer = service(actor=request.user, offer_id=pk)
        messages.success(request, success)
        return redirect("contributions:need", pk=offer.need_id)

    return action


accept_offer = _offer_action(services.accept_offer, _("The offer was accepted."))
decline_offer = _offer_action(services.decline_offer, _("The offer was declined."))
withdraw_offer = _offer_action(services.withdraw_offer, _("Your offer was withdrawn."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def log_hours(request, pk):
    form = forms.HoursForm(request.POST or None, initial={"worked_on": timezone.now().date()})
    with refusal_shown_on(form) as refusal:
        if request.method == "POST" and form.is_valid():
            hours = services.log_hours(
                actor=request.user,
                offer_id=pk,
                minutes=form.cleaned_data["hours"],
                worked_on=form.cleaned_data["worked_on"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Your hours were logged; the beneficiary confirms them."))
            return redirect("contributions:need", pk=hours.need_id)
    return _form_page(
        request,
        form,
        title=_("Log the hours you gave"),
        submit=_("Log hours"),
        status=refusal.status,
    )


@login_required
@require_POST
def confirm_hours(request, pk):
    hours = services.confirm_contribution(actor=request.user, contribution_id=pk)
    messages.success(request, _("The hours were confirmed and entered in the time ledger."))
    return redirect("contributions:need", pk=hours.need_id)


@login_required
@require_POST
def refuse_hours(request, pk):
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    hours = services.refuse_contribution(actor=request.user, contribution_id=pk, reason=reason)
    return redirect("contributions:need", pk=hours.need_id)


@login_required
@require_POST
def request_review(request, pk):
    hours = services.request_review(actor=request.user, contribution_id=pk)
    messages.success(request, _("A steward will review the refusal."))
    return redirect("contributions:need", pk=hours.need_id)


@login_required
@require_POST
def decide_review(request, pk):
    form = forms.ReviewForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {"outcome": "", "reason": ""}
    hours = services.decide_review(
        actor=request.user,
        contribution_id=pk,
        confirm=data["outcome"] == "confirm",
        reason=data["reason"],
    )
    return redirect("contributions:need", pk=hours.need_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_standing_offer(request):
    form = forms.StandingOfferForm(request.POST or None)
    with refusal_shown_on(form) as refusal:
        if request.method == "POST" and form.is_valid():
            offer = services.post_standing_offer(actor=request.user, **form.cleaned_data)
            return redirect("contributions:standing_offer", pk=offer.pk)
    return _form_page(
        request,
        form,
        title=_("Offer what you can give"),
        submit=_("Publish"),
        intro=_("Others can then ask you for it directly, as in a time bank."),
        status=refusal.status,
    )


@login_required
@require_POST
def withdraw_standing_offer(request, pk):
    services.withdraw_standing_offer(actor=request.user, standing_offer_id=pk)
    return redirect("contributions:standing_offer", pk=pk)


@login_required
@require_POST
def ask_standing_offer(request, pk):
    form = forms.AskForm(request.POST)
    with refusal_shown_on(form) as refusal:
        if form.is_valid():
            data = form.cleaned_data
            offer = services.ask_standing_offer(
                actor=request.user,
                standing_offer_id=pk,
                message=data["message"],
                estimated_minutes=data["hours"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                is_online=data["is_online"],
            )
            return redirect("contributions:need", pk=offer.need_id)
    standing = selectors.standing_offer(pk)
    if standing is None:
        raise Http404(_("There is no such standing offer."))
    return render(
        request,
        "contributions/standing_offer.html",
        {"offer": standing, "form": form, "is_member": True},
        status=refusal.status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def me(request):
    profile = selectors.profile_of(request.user)
    initial = {
        "skills": ", ".join(s.name for s in selectors.profile_skills(request.user)),
        "notify_matching_needs": profile.notify_matching_needs if profile else True,
        "is_pseudonymous": profile.is_pseudonymous if profile else False,
    }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    with refusal_shown_on(form) as refusal:
        if request.method == "POST" and form.is_valid():
            services.update_profile(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your choices were saved."))
            return redirect("contributions:me")
    account = selectors.account_for_member(request.user)
    return render(
        request,
        "contributions/me.html",
        {
            "form": form,
            "summary": selectors.account_summary(account) if account else None,
            "claims": selectors.claims_of(request.user),
            "claim_form": forms.ClaimForm(),
            "rules": rules(),
            "waiting": selectors.awaiting_confirmation(request.user),
            "standing_offers": selectors.standing_offers(member=request.user),
        },
        status=refusal.status,
    )


@login_required
@require_POST
def claim_rebate(request):
    form = forms.ClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("credits", [])))
        return redirect("contributions:me")
    services.claim_rebate(actor=request.user, credits=form.cleaned_data["credits"])
    messages.success(request, _("A treasurer will use these credits on your next dues."))
    return redirect("contributions:me")


@login_required
@require_POST
def withdraw_claim(request, pk):
    services.withdraw_rebate_claim(actor=request.user, claim_id=pk)
    return redirect("contributions:me")


@login_required
@require_POST
def read_alerts(request):
    services.mark_alerts_read(actor=request.user)
    return redirect("contributions:marketplace")


# --- stewards and treasurers -------------------------------------------------------------


@login_required
@require_safe
def reviews(request):
    return render(
        request,
        "contributions/reviews.html",
        {
            "under_review": selectors.under_review(),
            "can_review": permissions.can_review(request.user),
        },
    )


@login_required
@require_safe
def rebates(request):
    return render(
        request,
        "contributions/rebates.html",
        {
            "claims": selectors.pending_claims(),
            "is_treasurer": permissions.records_dues(request.user),
            "rules": rules(),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_dues(request, pk):
    form = forms.DuesForm(request.POST or None, initial={"date": timezone.now().date()})
    with refusal_shown_on(form) as refusal:
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            income = services.record_dues_with_rebate(
                actor=request.user,
                claim_id=pk,
                dues_cents=data["dues"],
                date=data["date"],
                method=data["method"],
                external_reference=data["external_reference"],
            )
            return redirect("treasury:transaction", pk=income.pk)
    return _form_page(
        request,
        form,
        title=_("Record dues with a rebate"),
        submit=_("Record the dues"),
        cancel=reverse("contributions:rebates"),
        status=refusal.status,
    )
