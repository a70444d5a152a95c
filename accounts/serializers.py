from rest_framework import serializers

from accounts.models import User
from config.serializers import StrictSerializer


class UserSerializer(serializers.ModelSerializer):
    # Blank for many users: documented as a plain string, not format "email".
    email = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "is_staff", "device_watts", "language"]
        read_only_fields = fields


class UserCreateSerializer(StrictSerializer):
    username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    is_staff = serializers.BooleanField(required=False, default=False)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PreferencesSerializer(StrictSerializer):
    """What a user changes about themselves: the interface language ("" follows the browser)."""

    language = serializers.ChoiceField(choices=[("", "browser")], allow_blank=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.conf import settings

        self.fields["language"].choices = [("", "browser"), *settings.LANGUAGES]
