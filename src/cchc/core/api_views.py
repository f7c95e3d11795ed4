"""Token authentication for the API: POST username + password, get a token.

Goes through ``authenticate()`` with the request, so the login lockout applies here too.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView


class LoginThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("Tên đăng nhập"), max_length=150)
    password = serializers.CharField(label=gettext_lazy("Mật khẩu"), max_length=256, style={"input_type": "password"})


class ObtainTokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        examples=[OpenApiExample("Đăng nhập", value={"username": "motcua.tinh", "password": "..."},
                                 request_only=True)],
        summary="Lấy mã truy cập (token) cho API",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"code": "invalid_credentials",
                 "detail": _("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị "
                             "khóa.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
