from django.urls import path

from proposals import api

urlpatterns = [
    path("proposals/", api.ProposalListCreate.as_view(), name="api-proposals"),
    path("proposals/<int:pk>/", api.ProposalDetail.as_view(), name="api-proposal"),
    path("proposals/<int:pk>/submit/", api.ProposalSubmit.as_view(), name="api-proposal-submit"),
    path(
        "proposals/<int:pk>/withdraw/",
        api.ProposalWithdraw.as_view(),
        name="api-proposal-withdraw",
    ),
    path("proposals/<int:pk>/ballot/", api.ProposalBallot.as_view(), name="api-proposal-ballot"),
    path("proposals/<int:pk>/results/", api.ProposalResults.as_view(), name="api-proposal-results"),
    path("proposals/<int:pk>/ballots/", api.ProposalBallots.as_view(), name="api-proposal-ballots"),
    path("proposals/<int:pk>/roll/", api.ProposalRoll.as_view(), name="api-proposal-roll"),
]
