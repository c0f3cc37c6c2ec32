from django.urls import path, re_path

from . import views

app_name = "credit_records"

urlpatterns = [
    path("employer/<int:employer_pk>/new/", views.record_add, name="add"),
    re_path(
        r"^employer/(?P<employer_pk>\d+)/export\.(?P<fmt>csv|xlsx)$",
        views.employer_export,
        name="export",
    ),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/correct/", views.record_correct, name="correct"),
    path("<int:pk>/void/", views.record_void, name="void"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attach"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="download"),
    path("import/", views.record_import, name="import"),
    path("audit/", views.audit_log, name="audit"),
]
