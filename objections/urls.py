from django.urls import path

from . import views

app_name = "objections"

urlpatterns = [
    path("calendar/", views.calendar_list, name="calendar"),
    path("calendar/<int:year>/", views.calendar_list, name="calendar_year"),
]
