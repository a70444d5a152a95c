"""Users: the verbs other code calls (project memberships: labeling/members.py)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from config.errors import Conflict, DomainError


def user_create(
    *, username: str, password: str, email: str = "", is_staff: bool = False, actor: User | None = None
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("That username is taken."), code="username_taken")
    user = User(username=username, email=email, is_staff=is_staff)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            audit_record(
                actor=actor,
                action=Action.USER_CREATE,
                target_type="user",
                target_id=user.pk,
                details={"username": user.username, "is_staff": is_staff},
            )
    except IntegrityError:
        raise Conflict(_("That username is taken."), code="username_taken") from None
    return user
