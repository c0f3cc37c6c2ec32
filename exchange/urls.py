from django.urls import path

from . import opendata, views

app_name = "exchange"

urlpatterns = [
    # Public (no login): partner developers' guide, certificate verification, open data.
    path("api/v1/docs/", views.api_docs, name="api_docs"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("open-data/", opendata.open_data_index, name="open_data"),
    path("open-data/dictionary/", opendata.open_data_dictionary, name="open_data_dictionary"),
    path("open-data/<slug:code>/<int:year>.csv", opendata.open_data_csv, name="open_data_csv"),
    path("open-data/<slug:code>/<int:year>.json", opendata.open_data_json, name="open_data_json"),
    # Partner tokens (sysadmin) and the API's call log (auditor).
    path("exchange/tokens/", views.token_list, name="tokens"),
    path("exchange/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("exchange/api-calls/", views.api_calls, name="api_calls"),
    # Consultation of the sister units before public notice.
    path("exchange/consultations/", views.consultations, name="consultations"),
    path(
        "exchange/cycles/<int:pk>/consultation/",
        views.consultation_send,
        name="consultation_send",
    ),
    path(
        "exchange/consultations/<int:pk>/",
        views.consultation_detail,
        name="consultation_detail",
    ),
    path("exchange/replies/<int:pk>/", views.reply, name="reply"),
    path("exchange/replies/<int:pk>/object/", views.reply_object, name="reply_object"),
    path("exchange/replies/<int:pk>/submit/", views.reply_submit, name="reply_submit"),
    path("exchange/objections/<int:pk>/delete/", views.objection_delete, name="objection_delete"),
    # Grade certificates (the employer).
    path("exchange/certificates/", views.certificates, name="certificates"),
    path(
        "exchange/certificates/results/<int:pk>/",
        views.certificate_issue,
        name="certificate_issue",
    ),
    path("exchange/certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    # Distribution files (the publisher).
    path("exchange/cycles/<int:pk>/distribution/", views.distribution, name="distribution"),
    path(
        "exchange/cycles/<int:pk>/distribution/remake/",
        views.distribution_remake,
        name="distribution_remake",
    ),
    path(
        "exchange/distribution/jobs/<int:pk>/progress/",
        views.distribution_progress,
        name="distribution_progress",
    ),
    path(
        "exchange/distribution/files/<int:pk>/", views.distribution_file, name="distribution_file"
    ),
]
