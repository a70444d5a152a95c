"""Query-string filters, checked by a serializer before any query runs.

A NUL byte, an offset past ±24 h, a number past the 64-bit range or a word
outside an enum would otherwise reach PostgreSQL and come back as a 500.
DRF's fields refuse them (CharField refuses NUL and lone surrogates; the date
and number fields refuse what does not parse or is out of range) with a 400 in
the error shape. A blank value means the filter is not applied.
"""

from django.utils.translation import gettext as _

from rest_framework import serializers

from config.errors import DomainError

# Paging has its own checks (config/pagination.py); ``format`` is DRF's.
NOT_FILTERS = frozenset({"limit", "offset", "format"})
DB_ID_MAX = 2**63 - 1


def IdParam(**kwargs) -> serializers.IntegerField:
    """A row id in a query string: a positive 64-bit integer."""
    return serializers.IntegerField(min_value=1, max_value=DB_ID_MAX, **kwargs)


def query_filters(request, serializer_class) -> dict:
    raw = {
        name: value
        for name, value in request.query_params.items()
        if name not in NOT_FILTERS and value != ""
    }
    params = serializer_class(data=raw)
    if not params.is_valid():
        # One stable code per parameter (``invalid_status``, ``invalid_since``...):
        # clients branch on it, whatever the field's own wording.
        name, messages = next(iter(params.errors.items()))
        raise DomainError(_("%(name)s: %(messages)s") % {"name": name, "messages": messages[0]}, code=f"invalid_{name}", field=name, errors=params.errors)
    return params.validated_data
