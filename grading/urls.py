from django.urls import path

from . import views

app_name = "grading"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/", views.runs, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress.json", views.run_progress, name="run_progress"),
    path("cycles/<int:pk>/grades/", views.cycle_grades, name="cycle_grades"),
    path("overrides/", views.overrides, name="overrides"),
    path("grades/<int:grade_pk>/override/", views.override_propose, name="override_propose"),
    path("overrides/<int:pk>/decide/", views.override_decide, name="override_decide"),
    path("screening/", views.screening, name="screening"),
    path("honours/", views.honours, name="honours"),
    path("honours/<int:cycle_pk>/exemplary/", views.exemplary_choose, name="exemplary_choose"),
    path("honours/exemplary/<int:pk>/drop/", views.exemplary_drop, name="exemplary_drop"),
]
