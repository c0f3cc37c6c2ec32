from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse

from audit.context import current_ip_address, reset_ip_address, set_ip_address

__all__ = ["current_ip_address"]  # kept here for the code that imports it from employers


class RequestAddressMiddleware:
    """Remembers the client address so audit entries written deep in services can record it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .network import client_ip

        token = set_ip_address(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_ip_address(token)


class ForcePasswordChangeMiddleware:
    """A user with an initial password may do nothing but change it (or log out)."""

    allowed_names = ("password_change", "password_change_done", "logout", "accounts:activate")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(n) for n in self.allowed_names}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """zh-hans is the product's language whatever the browser asks for; English only when the
    user picks it (the language switcher in the footer sets the cookie)."""

    def process_request(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        super().process_request(request)
