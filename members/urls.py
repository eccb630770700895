from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("members/", views.directory, name="directory"),
    path("members/<str:username>/", views.profile, name="profile"),
    path("members/<str:username>/suspend/", views.suspend, name="suspend"),
    path("members/<str:username>/reinstate/", views.reinstate, name="reinstate"),
    path("me/edit/", views.edit_profile, name="edit_profile"),
    path("me/leave/", views.leave, name="leave"),
    path("me/export.json", views.export, name="export"),
    path("applicants/", views.applicants, name="applicants"),
    path("applicants/<str:username>/admit/", views.admit, name="admit"),
]
