from django.urls import path

from contributions import api

urlpatterns = [
    path("needs/", api.NeedListCreate.as_view(), name="api-needs"),
    path("needs/<id:pk>/", api.NeedDetail.as_view(), name="api-need"),
    path("needs/<id:pk>/offers/", api.NeedOffers.as_view(), name="api-need-offers"),
    path("needs/<id:pk>/close/", api.NeedClose.as_view(), name="api-need-close"),
    path(
        "needs/<id:pk>/contributions/",
        api.NeedContributions.as_view(),
        name="api-need-contributions",
    ),
    path("offers/<id:pk>/accept/", api.OfferAccept.as_view(), name="api-offer-accept"),
    path("offers/<id:pk>/decline/", api.OfferDecline.as_view(), name="api-offer-decline"),
    path("offers/<id:pk>/withdraw/", api.OfferWithdraw.as_view(), name="api-offer-withdraw"),
    path("contributions/", api.ContributionCreate.as_view(), name="api-contributions"),
    path(
        "contributions/<id:pk>/confirm/",
        api.ContributionConfirm.as_view(),
        name="api-contribution-confirm",
    ),
    path(
        "contributions/<id:pk>/refuse/",
        api.ContributionRefuse.as_view(),
        name="api-contribution-refuse",
    ),
    path("contributions/ledger/head/", api.LedgerHead.as_view(), name="api-time-ledger-head"),
    path(
        "contributions/ledger/accounts/",
        api.LedgerAccounts.as_view(),
        name="api-time-ledger-accounts",
    ),
    path(
        "contributions/ledger/export.jsonl",
        api.LedgerExportJSONLines.as_view(),
        name="api-time-ledger-export",
    ),
    path(
        "contributions/ledger/export.csv",
        api.LedgerExportCSV.as_view(),
        name="api-time-ledger-export-csv",
    ),
]
