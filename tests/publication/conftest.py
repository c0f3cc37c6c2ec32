import pytest

from employers.choices import Role
from tests.factories import UserFactory, jurisdiction


@pytest.fixture
def publisher(db):
    return UserFactory(role=Role.PUBLISHER, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def auditor(db):
    return UserFactory(role=Role.AUDITOR, jurisdiction=jurisdiction("jiaxian"))


@pytest.fixture
def platform_in_process(settings):
    """The default: the stub inside the project, no network."""
    settings.CREDIT_PLATFORM_URL = "/platform-stub/api/messages/"
    settings.CREDIT_PLATFORM_TOKEN = ""
    settings.CREDIT_PLATFORM_STUB_FAILURE_RATIO = 0.0
    settings.CREDIT_PLATFORM_STUB_DELAY_MS = 0
    settings.CREDIT_PLATFORM_STUB_SEED = 20240927
    return settings
