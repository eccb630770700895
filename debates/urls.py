from django.urls import path

from debates import views

app_name = "debates"
urlpatterns = [
    path("moderation/", views.moderation_log, name="moderation_log"),
    path("<id:proposal_id>/", views.debate_page, name="debate"),
    path("<id:proposal_id>/post/", views.post_argument, name="post"),
    path("arguments/<id:argument_id>/edit/", views.edit_argument, name="edit"),
    path("arguments/<id:argument_id>/flag/", views.flag_argument, name="flag"),
    path("arguments/<id:argument_id>/hide/", views.hide_argument, name="hide"),
    path("arguments/<id:argument_id>/review/", views.request_review, name="request_review"),
    path("arguments/<id:argument_id>/restore/", views.restore_argument, name="restore"),
    path("arguments/<id:argument_id>/confirm/", views.confirm_hiding, name="confirm"),
]
