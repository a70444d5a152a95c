"""Short-lived signed image links: how a model server fetches an image without a session.

The token signs the image id (``django.core.signing``, salted for this use):
it opens that image only, and only for ``ML_IMAGE_LINK_SECONDS``.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from config.errors import NotFound
from labeling.models import Image

_SALT = "labeling.mlbackends.image-link"


def image_link(image_id: int) -> str:
    """An absolute URL a backend can GET for the image's original file."""
    token = signing.TimestampSigner(salt=_SALT).sign(str(image_id))
    path = reverse("ml-image", kwargs={"image_id": image_id, "token": token})
    return settings.ML_BACKEND_PUBLIC_URL.rstrip("/") + path


def image_from_link(image_id: int, token: str) -> Image:
    """The image if the token is valid, unexpired and made for it; else 404 (nothing said about why)."""
    try:
        signed_id = signing.TimestampSigner(salt=_SALT).unsign(token, max_age=settings.ML_IMAGE_LINK_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        raise NotFound(_("Not found.")) from None
    image = Image.objects.filter(pk=image_id).first() if signed_id == str(image_id) else None
    if image is None:
        raise NotFound(_("Not found."))
    return image
