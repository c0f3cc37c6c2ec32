"""The client address of the request being served, for audit entries written deep in services
(set by ``employers.middleware.RequestAddressMiddleware``)."""

import contextvars

_ip_address = contextvars.ContextVar("request_ip_address", default=None)


def current_ip_address():
    """The client address of the request being served (None outside a request)."""
    return _ip_address.get()


def set_ip_address(value):
    """Set the address for the current context; returns a token for ``reset_ip_address``."""
    return _ip_address.set(value)


def reset_ip_address(token) -> None:
    _ip_address.reset(token)
