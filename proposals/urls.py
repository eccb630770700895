from django.urls import path

from proposals import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/<slug:kind>/", views.proposal_create, name="create"),
    path("<id:pk>/", views.proposal_detail, name="detail"),
    path("<id:pk>/edit/", views.proposal_edit, name="edit"),
    path("<id:pk>/submit/", views.proposal_submit, name="submit"),
    path("<id:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("<id:pk>/coauthors/", views.proposal_invite, name="invite"),
    path("<id:pk>/ballot/", views.cast_ballot, name="vote"),
    path("<id:pk>/revisions/<id:number>/", views.proposal_revision, name="revision"),
    path("<id:pk>/roll/", views.proposal_roll, name="roll"),
    path("my-ballots/", views.my_ballots, name="my_ballots"),
    path("notifications/", views.notifications, name="notifications"),
]
