"""The project's URLs plus a page that needs the database (for the 500 page tests)."""

from django.urls import path

from config.urls import urlpatterns as project_urls
from employers.models import Employer


def needs_the_database(request):
    Employer.objects.count()  # raises while the database is down


urlpatterns = [*project_urls, path("needs-the-database/", needs_the_database)]
