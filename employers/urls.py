from django.urls import path, re_path

from . import export_views, views

app_name = "employers"

urlpatterns = [
    path("", views.employer_list, name="list"),
    path("new/", views.employer_edit, name="create"),
    path("mine/", views.my_employer, name="mine"),
    path("search.json", views.employer_search, name="search"),
    path("import/", views.employer_import, name="import"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", export_views.employer_export, name="export"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)/start/$", export_views.export_start, name="export_start"),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("<int:pk>/", views.employer_detail, name="detail"),
    path("<int:pk>/edit/", views.employer_edit, name="edit"),
]
