from django.urls import path

from contributions.api import hours, ledger, needs, rebates, time_bank

urlpatterns = [
    path("needs/", needs.NeedListCreate.as_view(), name="api-needs"),
    path("needs/<id:pk>/", needs.NeedDetail.as_view(), name="api-need"),
    path("needs/<id:pk>/offers/", needs.NeedOffers.as_view(), name="api-need-offers"),
    path("needs/<id:pk>/close/", needs.NeedClose.as_view(), name="api-need-close"),
    path(
        "needs/<id:pk>/contributions/",
        needs.NeedContributions.as_view(),
        name="api-need-contributions",
    ),
    path("offers/<id:pk>/accept/", needs.OfferAccept.as_view(), name="api-offer-accept"),
    path("offers/<id:pk>/decline/", needs.OfferDecline.as_view(), name="api-offer-decline"),
    path("offers/<id:pk>/withdraw/", needs.OfferWithdraw.as_view(), name="api-offer-withdraw"),
    path("contributions/", hours.ContributionCreate.as_view(), name="api-contributions"),
    path(
        "contributions/<id:pk>/review/",
        hours.ContributionReviewRequest.as_view(),
        name="api-contribution-review",
    ),
    path(
        "contributions/<id:pk>/review/decision/",
        hours.ContributionReviewDecision.as_view(),
        name="api-contribution-review-decision",
    ),
    path(
        "standing-offers/",
        time_bank.StandingOfferListCreate.as_view(),
        name="api-standing-offers",
    ),
    path(
        "standing-offers/<id:pk>/withdraw/",
        time_bank.StandingOfferWithdraw.as_view(),
        name="api-standing-offer-withdraw",
    ),
    path(
        "standing-offers/<id:pk>/ask/",
        time_bank.StandingOfferAsk.as_view(),
        name="api-standing-offer-ask",
    ),
    path("rebates/", rebates.RebateClaims.as_view(), name="api-rebates"),
    path(
        "rebates/<id:pk>/withdraw/",
        rebates.RebateClaimWithdraw.as_view(),
        name="api-rebate-withdraw",
    ),
    path(
        "contributions/<id:pk>/confirm/",
        hours.ContributionConfirm.as_view(),
        name="api-contribution-confirm",
    ),
    path(
        "contributions/<id:pk>/refuse/",
        hours.ContributionRefuse.as_view(),
        name="api-contribution-refuse",
    ),
    path("contributions/ledger/head/", ledger.LedgerHead.as_view(), name="api-time-ledger-head"),
    path(
        "contributions/ledger/accounts/",
        ledger.LedgerAccounts.as_view(),
        name="api-time-ledger-accounts",
    ),
    path(
        "contributions/ledger/export.jsonl",
        ledger.LedgerExportJSONLines.as_view(),
        name="api-time-ledger-export",
    ),
    path(
        "contributions/ledger/export.csv",
        ledger.LedgerExportCSV.as_view(),
        name="api-time-ledger-export-csv",
    ),
]
