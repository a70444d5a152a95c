from django.urls import path

from accounts import api, audit_api

urlpatterns = [
    path("auth/token/", api.TokenView.as_view(), name="auth-token"),
    path("users/", api.UserCreateView.as_view(), name="user-create"),
    path("audit/", audit_api.AuditView.as_view(), name="audit-list"),
]
