from django.urls import path

from debates import views

app_name = "debates"
urlpatterns = [
    path("moderation/", views.moderation_log, name="moderation_log"),
    path("<int:proposal_id>/", views.debate_page, name="debate"),
    path("<int:proposal_id>/post/", views.post_argument, name="post"),
    path("arguments/<int:argument_id>/edit/", views.edit_argument, name="edit"),
    path("arguments/<int:argument_id>/flag/", views.flag_argument, name="flag"),
    path("arguments/<int:argument_id>/hide/", views.hide_argument, name="hide"),
    path("arguments/<int:argument_id>/review/", views.request_review, name="request_review"),
    path("arguments/<int:argument_id>/restore/", views.restore_argument, name="restore"),
    path("arguments/<int:argument_id>/confirm/", views.confirm_hiding, name="confirm"),
]
