"""Treasury pages: the public treasury (no login), and the treasurer,
approver and auditor forms. Views parse input, call a service or selector and
render; domain errors become form errors or a 403 page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kernel.views import refusal_shown_on
from members.roles import Role
from members.selectors import ROLE_LABELS
from treasury import permissions, selectors, services, svg_charts
from treasury.forms import (
    INCOME_LABELS,
    AttestationForm,
    ExpenseForm,
    FundForm,
    ImportConfirmForm,
    ImportForm,
    IncomeForm,
    ReasonForm,
)
from treasury.models import INCOME_KINDS, AccountType, Receipt, TransactionKind


def _require(request: HttpRequest, roles: tuple[Role, ...]) -> None:
    """`roles` is one of the lists in `treasury.permissions`."""
    if not permissions.holds_any(request.user, roles):
        raise PermissionDenied(
            _("This page is for members holding one of these roles: %(roles)s.")
            % {"roles": ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles)}
        )


def _roles(request: HttpRequest) -> dict:
    return {
        "is_treasurer": permissions.is_treasurer(request.user),
        "is_approver": permissions.can_decide_expenses(request.user),
        "is_auditor": permissions.is_auditor(request.user),
    }


# ---------------------------------------------------------------------------
# Public treasury
# ---------------------------------------------------------------------------


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    flows = selectors.flows_by_month()
    lines = selectors.budget_lines()
    seq, head_hash = selectors.ledger_head()
    balances = selectors.balances()
    return render(
        request,
        "treasury/overview.html",
        {
            "balances": balances,
            # Says why when a fund's share of an account it holds is negative.
            "negative_share": any(
                row.account.type == AccountType.ASSET and row.cents < 0 for row in balances["rows"]
            ),
            "income": selectors.income_by_source_and_month(),
            "flows": flows,
            "lines": lines,
            "flows_chart": svg_charts.flows_chart(flows),
            "budget_chart": svg_charts.budget_chart(lines),
            "recent": selectors.transactions_page(limit=10).items,
            "attestations": selectors.attestations()[:5],
            "head_seq": seq,
            "head_hash": head_hash,
            **_roles(request),
        },
    )


@require_safe
def transaction_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in TransactionKind.values:
        kind = ""
    page = selectors.transactions_page(cursor=request.GET.get("cursor"), kind=kind)
    return render(
        request,
        "treasury/transactions.html",
        {
            "page": page,
            "kind": kind,
            "kinds": TransactionKind.choices,
            "is_first": not request.GET.get("cursor"),
        },
    )


@require_safe
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    txn = selectors.transaction_detail(pk)
    if txn is None:
        raise Http404(_("There is no such transaction."))
    return render(
        request,
        "treasury/transaction.html",
        {
            "txn": txn,
            "can_read_withheld": permissions.can_read_withheld(request.user),
            "reversal": getattr(txn, "reversed_by", None),
            **_roles(request),
        },
    )


@require_safe
def budget_line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    status = selectors.budget_line_status(pk)
    if status is None:
        raise Http404(_("There is no such budget line."))
    transactions = selectors.transactions_queryset().filter(budget_line_id=pk)[:200]
    return render(
        request,
        "treasury/budget_line.html",
        {"status": status, "transactions": transactions},
    )


@require_safe
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    document = Receipt.objects.filter(pk=pk).first()
    if document is None:
        raise Http404(_("There is no such receipt."))
    if not document.is_public and not permissions.can_read_withheld(request.user):
        raise PermissionDenied(
            _("This receipt is withheld: %(reason)s") % {"reason": document.withheld_reason}
        )
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type, as_attachment=False
    )
    response["Content-Disposition"] = f'inline; filename="receipt-{document.pk}{_suffix(document)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _suffix(document: Receipt) -> str:
    return "." + document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else ""


# ---------------------------------------------------------------------------
# Treasurers
# ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_income(request: HttpRequest, kind: str) -> HttpResponse:
    _require(request, permissions.RECORDS_MONEY)
    if kind not in INCOME_KINDS:
        raise Http404(_("Unknown kind of income."))
    form = IncomeForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            txn = services.record_income(
                actor=request.user,
                kind=kind,
                amount_cents=data["amount"],
                date=data["date"],
                method=data["method"],
                fund=data["fund"],
                counterparty=data["counterparty"],
                is_counterparty_public=data["is_counterparty_public"],
                external_reference=data["external_reference"],
                description=data["description"],
                fee_cents=data.get("fee") or 0,
            )
            messages.success(request, _("Recorded as transaction #%(pk)s.") % {"pk": txn.pk})
            return redirect("treasury:transaction", pk=txn.pk)
    return render(
        request,
        "treasury/form.html",
        {"form": form, "title": INCOME_LABELS[kind], "submit": _("Record")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_statement(request: HttpRequest) -> HttpResponse:
    """Upload → preview (per-line errors, duplicates) → confirm."""
    _require(request, permissions.RECORDS_MONEY)
    if request.method == "POST" and "content" in request.POST:
        confirm = ImportConfirmForm(request.POST)
        if confirm.is_valid():
            data = confirm.cleaned_data
            # A refusal goes back to the import page with its reason (kernel.views).
            result = services.import_bank_statement(
                actor=request.user,
                content=data["content"],
                method=data["method"],
                fund=data["fund"],
            )
            messages.success(
                request,
                _("%(new)d transactions recorded; %(dup)d rows were already in the ledger.")
                % {"new": len(result.recorded), "dup": result.duplicates},
            )
            return redirect("treasury:transactions")
        messages.error(request, _("The import could not be confirmed; upload the file again."))
        return redirect("treasury:import")
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    confirm = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["statement"].read(5 * 1024 * 1024 + 1)
        if len(raw) > 5 * 1024 * 1024:
            form.add_error("statement", _("The statement is larger than 5 MB; split it."))
        else:
            with refusal_shown_on(form, field="statement"):
                text = services.decode_statement(raw)
                preview = services.preview_bank_statement(text)
                if preview.error:
                    form.add_error("statement", preview.error)
                    preview = None
                elif preview.is_valid:
                    confirm = ImportConfirmForm(
                        initial={
                            "content": text,
                            "method": form.cleaned_data["method"],
                            "fund": form.cleaned_data["fund"],
                        }
                    )
    return render(
        request,
        "treasury/import.html",
        {"form": form, "preview": preview, "confirm": confirm},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_expense(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.RECORDS_MONEY)
    form = ExpenseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusal_shown_on(form):
            expense = services.record_expense(
                actor=request.user,
                budget_line_id=data["budget_line"],
                amount_cents=data["amount"],
                date=data["date"],
                description=data["description"],
                payee=data["payee"],
                method=data["method"],
                receipt_file=data["receipt"],
                receipt_is_public=data["receipt_is_public"],
                withheld_reason=data["withheld_reason"],
            )
            if expense.transaction_id:
                messages.success(request, _("The expense is posted."))
                return redirect("treasury:transaction", pk=expense.transaction_id)
            messages.success(
                request,
                _(
                    "The expense is above the approval threshold: it now waits for a second "
                    "treasurer or a steward."
                ),
            )
            return redirect("treasury:approvals")
    return render(
        request,
        "treasury/form.html",
        {
            "form": form,
            "title": _("Record an expense"),
            "submit": _("Record the expense"),
            "multipart": True,
            "empty_message": None
            if form.fields["budget_line"].choices
            else _("No budget line has been voted yet: spending needs an enacted budget proposal."),
        },
    )


@login_required
@require_safe
def approvals(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.DECIDES_EXPENSES)
    return render(
        request,
        "treasury/approvals.html",
        {"expenses": selectors.pending_expenses(), "decline_form": ReasonForm()},
    )


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, permissions.DECIDES_EXPENSES)
    expense = services.approve_expense(actor=request.user, expense_id=pk)
    messages.success(request, _("Approved and posted."))
    return redirect("treasury:transaction", pk=expense.transaction_id)


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, permissions.DECIDES_EXPENSES)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the expense is declined."))
        return redirect("treasury:approvals")
    services.decline_expense(actor=request.user, expense_id=pk, reason=form.cleaned_data["reason"])
    messages.success(request, _("The expense is declined."))
    return redirect("treasury:approvals")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reverse_transaction(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, permissions.RECORDS_MONEY)
    txn = selectors.transaction_detail(pk)
    if txn is None:
        raise Http404(_("There is no such transaction."))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            reversal = services.reverse_transaction(
                actor=request.user, transaction_id=pk, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Reversed by transaction #%(pk)s.") % {"pk": reversal.pk})
            return redirect("treasury:transaction", pk=reversal.pk)
    return render(
        request,
        "treasury/form.html",
        {
            "form": form,
            "title": _("Reverse transaction #%(pk)s") % {"pk": pk},
            "intro": _(
                "A posted transaction is never edited. A reversal posts its mirror image, "
                "linked to it, with your reason; both stay in the public ledger."
            ),
            "submit": _("Reverse"),
            "cancel_url": reverse("treasury:transaction", args=[pk]),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create_fund(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.RECORDS_MONEY)
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.create_fund(actor=request.user, **form.cleaned_data)
            messages.success(request, _("The fund is open."))
            return redirect("treasury:overview")
    return render(
        request,
        "treasury/form.html",
        {"form": form, "title": _("Open a fund"), "submit": _("Open the fund")},
    )


# ---------------------------------------------------------------------------
# Auditors
# ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attest(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.ATTESTS_LEDGER)
    seq, _head_hash = selectors.ledger_head()
    form = AttestationForm(
        request.POST or None, initial={"ledger_head_seq": seq or None, "ledger_head_hash": ""}
    )
    if request.method == "POST" and form.is_valid():
        with refusal_shown_on(form):
            services.attest_audit(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your attestation is published and journaled."))
            return redirect(reverse("treasury:overview") + "#attestations")
    return render(
        request,
        "treasury/form.html",
        {
            "form": form,
            "title": _("Attest the ledger"),
            "intro": _(
                "Download the ledger export, run “python chain.py verify export.jsonl”, "
                "and enter the head it printed. Your statement is published and journaled."
            ),
            "submit": _("Publish the attestation"),
        },
    )
