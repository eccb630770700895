from django.urls import path

from proposals import api

urlpatterns = [
    path("proposals/", api.ProposalListCreate.as_view(), name="api-proposals"),
    path("proposals/<id:pk>/", api.ProposalDetail.as_view(), name="api-proposal"),
    path("proposals/<id:pk>/submit/", api.ProposalSubmit.as_view(), name="api-proposal-submit"),
    path(
        "proposals/<id:pk>/withdraw/",
        api.ProposalWithdraw.as_view(),
        name="api-proposal-withdraw",
    ),
    path("proposals/<id:pk>/ballot/", api.ProposalBallot.as_view(), name="api-proposal-ballot"),
    path("proposals/<id:pk>/results/", api.ProposalResults.as_view(), name="api-proposal-results"),
    path("proposals/<id:pk>/ballots/", api.ProposalBallots.as_view(), name="api-proposal-ballots"),
    path("proposals/<id:pk>/roll/", api.ProposalRoll.as_view(), name="api-proposal-roll"),
]
