from django.urls import path

from . import account_views as views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.request_create, name="create"),
    path("users/<int:pk>/access/", views.request_change, name="change"),
    path("users/<int:pk>/reset-password/", views.request_reset, name="reset"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/approve/", views.request_approve, name="approve"),
    path("requests/<int:pk>/reject/", views.request_reject, name="reject"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="withdraw"),
    path("activate/", views.activate, name="activate"),
]
