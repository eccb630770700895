"""Members pages: home, dashboard, directory, profiles, standing changes.

Views only parse input, call a service or selector and render. A refused
action is answered by `kernel.views.DomainErrorMiddleware`: a 403 page when
the person may not act, else the reason on the page they came from.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from governance import selectors as governance_selectors
from kernel.chains import heads_read_once
from members import dashboard as needs_me
from members import profiles, selectors, services
from members.forms import (
    DirectorySearchForm,
    LeaveForm,
    ProfileForm,
    ReinstatementForm,
    SuspensionForm,
)
from members.models import Member
from members.roles import Role


def _standing(person) -> dict:
    parameters = governance_selectors.current_parameters()
    return selectors.standing_summary(
        person, now=timezone.now(), min_tenure_days=parameters.min_tenure_days
    )


def _require_member(request: HttpRequest) -> None:
    if not selectors.is_member(request.user):
        raise PermissionDenied(
            _("Only members in good standing can see the member directory and profiles.")
        )


def _require_steward(request: HttpRequest) -> None:
    if not selectors.has_role(request.user, Role.STEWARD):
        raise PermissionDenied(_("Only a steward can do this."))


def _person_or_404(username: str) -> Member:
    person = selectors.member_profile(username=username)
    if person is None:
        raise Http404(_("There is no member with this username."))
    return person


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "articles": governance_selectors.current_versions(),
        "parameters": governance_selectors.current_parameters(),
    }
    if request.user.is_authenticated:
        context["standing"] = _standing(request.user)
    else:  # the community at a glance: what is being decided, decisions, the treasury
        context["sections"] = needs_me.sections_for(request.user, now=timezone.now())
    return render(request, "members/home.html", context)


@login_required
@require_safe
@heads_read_once()  # the footer's journal head, the parameters, the treasury's ledger head
def dashboard(request: HttpRequest) -> HttpResponse:
    parameters = governance_selectors.current_parameters()
    now = timezone.now()
    standing = selectors.standing_summary(
        request.user, now=now, min_tenure_days=parameters.min_tenure_days
    )
    # The navigation asks too; its answer is the standing just read.
    request._commons_viewer_is_member = standing["is_member"]
    return render(
        request,
        "members/dashboard.html",
        {
            "standing": standing,
            "is_steward": Role.STEWARD in standing["roles"],
            "admission": parameters.admission,
            "sections": needs_me.sections_for(request.user, now=now, standing=standing),
        },
    )


@login_required
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    _require_member(request)
    form = DirectorySearchForm(request.GET)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context = {"form": form, "query": query, "members": selectors.member_directory(query=query)}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "members/_directory_results.html", context)
    return render(request, "members/directory.html", context)


@login_required
@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    _require_member(request)
    return _render_profile(request, _person_or_404(username))


def _render_profile(
    request, person, *, suspension_form=None, reinstatement_form=None, status=200
) -> HttpResponse:
    return render(
        request,
        "members/profile.html",
        {
            "person": person,
            "membership": getattr(person, "membership", None),
            "is_self": person.pk == request.user.pk,
            "is_steward": selectors.has_role(request.user, Role.STEWARD),
            "suspension_form": suspension_form or SuspensionForm(),
            "reinstatement_form": reinstatement_form or ReinstatementForm(),
            "sections": profiles.sections_for(person=person, viewer=request.user),
        },
        status=status,
    )


@login_required
@require_POST
def suspend(request: HttpRequest, username: str) -> HttpResponse:
    _require_member(request)
    person = _person_or_404(username)
    form = SuspensionForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, person, suspension_form=form, status=400)
    services.suspend_member(member=person, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("%(name)s is suspended. The reason is public.") % {"name": person})
    return redirect("members:profile", username=person.username)


@login_required
@require_POST
def reinstate(request: HttpRequest, username: str) -> HttpResponse:
    _require_member(request)
    person = _person_or_404(username)
    form = ReinstatementForm(request.POST)
    if not form.is_valid():
        return _render_profile(request, person, reinstatement_form=form, status=400)
    services.reinstate_member(member=person, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("%(name)s is a member in good standing again.") % {"name": person})
    return redirect("members:profile", username=person.username)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    member = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            services.update_profile(
                member=member,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
            )
            messages.success(request, _("Your profile is saved."))
            if selectors.is_member(member):
                return redirect("members:profile", username=member.username)
            return redirect("members:dashboard")
        status = 400
    else:
        form = ProfileForm(initial={"display_name": member.display_name, "bio": member.bio})
        status = 200
    return render(request, "members/edit_profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    standing = _standing(request.user)
    if request.method == "POST":
        form = LeaveForm(request.POST)
        if form.is_valid():
            services.leave_community(member=request.user)
            messages.success(
                request,
                _("You have left the community. Your account stays, and so does the record."),
            )
            return redirect("members:dashboard")
        status = 400
    else:
        form = LeaveForm()
        status = 200
    return render(
        request, "members/leave.html", {"form": form, "standing": standing}, status=status
    )


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    data = selectors.export_member_data(member=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    name = slugify(f"{governance_selectors.community_name()} {request.user.username} data")
    response["Content-Disposition"] = f'attachment; filename="{name or "my-data"}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def applicants(request: HttpRequest) -> HttpResponse:
    _require_steward(request)
    return render(
        request,
        "members/applicants.html",
        {
            "applicants": selectors.applicants(),
            "admission": governance_selectors.current_parameters().admission,
        },
    )


@login_required
@require_POST
def admit(request: HttpRequest, username: str) -> HttpResponse:
    person = _person_or_404(username)
    services.admit_member(member=person, actor=request.user)
    messages.success(request, _("%(name)s is now a member.") % {"name": person})
    return redirect(reverse("members:applicants"))
