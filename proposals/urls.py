from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/<slug:kind>/", views.proposal_create, name="create"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<int:pk>/coauthors/", views.proposal_invite, name="invite"),
    path("<int:pk>/ballot/", views.cast_ballot, name="vote"),
    path("<int:pk>/revisions/<int:number>/", views.proposal_revision, name="revision"),
    path("<int:pk>/roll/", views.proposal_roll, name="roll"),
    path("my-ballots/", views.my_ballots, name="my_ballots"),
    path("notifications/", views.notifications, name="notifications"),
]
