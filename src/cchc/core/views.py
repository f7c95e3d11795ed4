from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .forms import LoginForm
from .selectors import home_sections_for


def home(request):
    """Public landing for citizens; for staff, the work each of their roles has."""
    return render(request, "core/home.html", {"sections": home_sections_for(request.user)})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Đăng nhập")}


class LogoutView(auth_views.LogoutView):
    pass
