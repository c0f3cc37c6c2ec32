from django.urls import path  # noqa: F401

app_name = "credit_records"

urlpatterns: list = []
