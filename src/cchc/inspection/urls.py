from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.home, name="home"),
    path("ke-hoach/moi/", views.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/", views.plan_detail, name="plan"),
    path("ke-hoach/<int:pk>/so-sanh.svg", views.plan_chart, name="plan_chart"),
    path("ke-hoach/<int:pk>/hoi-nghi/", views.conference_create, name="conference_create"),
    path("hoi-nghi/<int:pk>/thong-qua/", views.conference_adopt, name="conference_adopt"),
    path("cuoc/<int:pk>/", views.inspection_detail, name="inspection"),
    path("cuoc/<int:pk>/<slug:action>/", views.inspection_action, name="inspection_action"),
    path("cuoc/<int:pk>/van-ban/<slug:kind>.<slug:fmt>", views.inspection_document,
         name="document"),
    path("bo-tieu-chi/", views.criteria_list, name="criteria_list"),
    path("bo-tieu-chi/<int:pk>/", views.criteria_detail, name="criteria"),
    path("bo-tieu-chi/<int:pk>/sao-chep/", views.criteria_copy, name="criteria_copy"),
    path("bo-tieu-chi/<int:pk>/mac-dinh/", views.criteria_make_default,
         name="criteria_make_default"),
    path("kien-nghi/", views.recommendations, name="recommendations"),
    path("kien-nghi/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("nhiem-vu/", views.tasks, name="tasks"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task"),
    path("nhiem-vu/bao-cao/<int:plan>.<slug:fmt>", views.task_report, name="task_report"),
]
