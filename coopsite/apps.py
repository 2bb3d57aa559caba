from django.contrib.admin.apps import AdminConfig


class CoopsiteAdminConfig(AdminConfig):
    default_site = "coopsite.admin.CoopsiteAdminSite"
