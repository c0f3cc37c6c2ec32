from django.urls import path

from . import stub, views

app_name = "publication"

urlpatterns = [
    path("publication/outbox/", views.outbox_list, name="outbox"),
    path("publication/outbox/drain/", views.outbox_drain, name="outbox_drain"),
    path("publication/outbox/retry-failed/", views.outbox_retry_failed, name="outbox_retry_failed"),
    path("publication/outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    # The stub of the shared credit platform (its own prefix; see publication/stub.py).
    path("platform-stub/api/messages/", stub.receive, name="stub_receive"),
    path("platform-stub/api/messages/<uuid:message_id>/", stub.message_detail, name="stub_message"),
]
