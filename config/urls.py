from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from employers import views as employer_views
from employers.forms import LoginForm, StrongPasswordChangeForm
from exchange.api import api as exchange_api

urlpatterns = [
    path("", employer_views.home, name="home"),
    path(
        "accounts/login/",
        employer_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        employer_views.PasswordChangeView.as_view(form_class=StrongPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("employers.account_urls")),
    path("imports/", include("employers.import_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("employers/", include("employers.urls")),
    path("records/", include("credit_records.urls")),
    path("grading/", include("grading.urls")),
    path("objections/", include("objections.urls")),
    path("supervision/", include("supervision.urls")),
    path("written-review/", include("written_review.urls")),
    path("", include("publication.urls")),
    path("", include("exchange.urls")),
    path("api/v1/", exchange_api.urls),
    path("admin/", admin.site.urls),
]

# No /media/ route, not even with DEBUG: every stored file is private and goes out through its
# permission-checked view (config/storage.py).
