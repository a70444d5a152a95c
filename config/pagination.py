"""Limit/offset paging whose parameters are checked, not guessed at.

DRF's own class falls back to the default on a bad ``limit`` and passes any
``offset`` to the database, where one past the 64-bit range is a server error.
Here a value that is not a whole number in range answers 400 in the error shape,
and the schema publishes the ranges.
"""

from rest_framework import pagination, serializers

MAX_LIMIT = 1000
MAX_OFFSET = 10**9


class _PageParams(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)


def page_params(request) -> dict:
    raw = {name: request.query_params[name] for name in ("limit", "offset") if request.query_params.get(name, "") != ""}
    params = _PageParams(data=raw)
    params.is_valid(raise_exception=True)
    return params.validated_data


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request):
        return page_params(request).get("limit", self.default_limit)

    def get_offset(self, request):
        return page_params(request).get("offset", 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        ranges = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        for parameter in parameters:
            low, high = ranges[parameter["name"]]
            parameter["schema"] = {**parameter["schema"], "minimum": low, "maximum": high}
        return parameters


