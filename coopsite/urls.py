from django.contrib import admin
from django.urls import include, path

from articles.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("articles/", include("articles.urls")),
    path("", include("partnerships.urls")),
    path("admin/", admin.site.urls),
]
