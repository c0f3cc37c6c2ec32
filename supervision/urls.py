from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("registry/", views.freshness, name="freshness"),
    path("registry/stale/", views.stale, name="stale"),
    path("registry/<int:employer_pk>/confirm/", views.registry_confirm, name="registry_confirm"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/remind/", views.commitment_remind, name="commitment_remind"),
    path("commitments/sign/", views.commitment_sign, name="commitment_sign"),
    path("commitments/<int:pk>/pdf/", views.commitment_pdf, name="commitment_pdf"),
    path("interviews/", views.interviews, name="interviews"),
    path("training/", views.training, name="training"),
]
