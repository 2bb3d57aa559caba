from django.contrib import admin
from django.urls import include, path

from articles.views import HomeView

admin.site.site_header = "coopsite administration"
admin.site.site_title = "coopsite admin"
admin.site.index_title = "Articles and partnership records"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("articles/", include("articles.urls")),
    path("", include("partnerships.urls")),
    path("admin/", admin.site.urls),
]
