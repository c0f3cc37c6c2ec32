from django.urls import path

from . import views

app_name = "objections"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.objection_new, name="new"),
    path("<int:pk>/", views.objection_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.objection_act, name="act"),
    path("repairs/", views.repair_queue, name="repair_queue"),
    path("repairs/new/", views.repair_new, name="repair_new"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/<str:action>/", views.repair_act, name="repair_act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("calendar/", views.calendar_list, name="calendar"),
    path("calendar/<int:year>/", views.calendar_list, name="calendar_year"),
]
