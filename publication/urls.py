from django.urls import path

from . import home_views, stub, views

app_name = "publication"

urlpatterns = [
    # Public pages: no login (name, USCC and grade only).
    path("public/", home_views.public_index, name="public_index"),
    path("public/legend/", home_views.public_legend, name="public_legend"),
    # Before public_list: "notices" would otherwise be read as a jurisdiction code.
    path("public/notices/<int:pk>/", views.public_notice, name="public_notice"),
    path("public/<slug:code>/<int:year>/", views.public_list, name="public_list"),
    # The employer's home: its grades, why, and what would lift them (issue 11 item 1).
    path("my/grades/", home_views.employer_home, name="employer_home"),
    path("publication/documents/<int:pk>/", views.document_download, name="document"),
    # Written notices (SPEC §8 [r2]): the online copy and its read receipt.
    path("publication/notices/<int:pk>/", views.notice_detail, name="notice"),
    path("publication/notices/<int:pk>/open/", views.notice_open, name="notice_open"),
    # Adjustments proposed by the system for the publisher (SPEC §5.1 [r2], §7 [r2]).
    path("publication/adjustments/", views.adjustments, name="adjustments"),
    path(
        "publication/adjustments/<int:pk>/confirm/",
        views.adjustment_confirm,
        name="adjustment_confirm",
    ),
    path(
        "publication/adjustments/<int:pk>/dismiss/",
        views.adjustment_dismiss,
        name="adjustment_dismiss",
    ),
    # The cycle workflow (publishers; other staff read).
    path("publication/cycles/", views.cycle_list, name="cycles"),
    path("publication/cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("publication/cycles/<int:pk>/review/", views.cycle_start_review, name="cycle_review"),
    path(
        "publication/cycles/<int:pk>/written-notices/",
        views.cycle_written_notices,
        name="cycle_written_notices",
    ),
    path("publication/cycles/<int:pk>/notice/", views.cycle_start_notice, name="cycle_notice"),
    path("publication/cycles/<int:pk>/finalise/", views.cycle_finalise, name="cycle_finalise"),
    path("publication/cycles/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path(
        "publication/cycles/<int:pk>/documents/remake/",
        views.cycle_remake_documents,
        name="cycle_remake_documents",
    ),
    path("publication/cycles/<int:pk>/adjust/", views.cycle_adjust, name="cycle_adjust"),
    path("publication/cycles/<int:pk>/measures/", views.cycle_measures, name="cycle_measures"),
    path("publication/jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    # The outbox to the shared credit platform.
    path("publication/outbox/", views.outbox_list, name="outbox"),
    path("publication/outbox/drain/", views.outbox_drain, name="outbox_drain"),
    path("publication/outbox/retry-failed/", views.outbox_retry_failed, name="outbox_retry_failed"),
    path("publication/outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    # The stub of the shared credit platform (its own prefix; see publication/stub.py).
    path("platform-stub/api/messages/", stub.receive, name="stub_receive"),
    path("platform-stub/api/messages/<uuid:message_id>/", stub.message_detail, name="stub_message"),
]
