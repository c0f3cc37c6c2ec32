from django.urls import path

from . import import_views as views

app_name = "imports"

urlpatterns = [
    path("<uuid:pk>/", views.job_detail, name="job"),
    path("<uuid:pk>/confirm/", views.job_confirm, name="confirm"),
    path("<uuid:pk>/cancel/", views.job_cancel, name="cancel"),
    path("<uuid:pk>/problems.csv", views.job_problems, name="problems"),
]
