"""OpenAPI additions: the error shape every operation may answer with, and closed request bodies."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a message, a stable code, and field errors for bad input.",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}

COMMON = {
    "400": "Invalid input",
    "401": "Not signed in",
    "403": "Not allowed for your role",
    "404": "Not found, or not yours",
    "405": "Method not allowed",
    "409": "Conflict with the current state",
    "413": "Too large",
    "415": "Unsupported media type",
    "429": "Too many requests; see Retry-After",
    "503": "Database or broker unavailable; see Retry-After",
}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: add the error responses to each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in COMMON.items():
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result


def close_request_bodies(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: request bodies take no fields beyond their own.

    Every request serializer refuses unknown keys (config/serializers.py), so the
    schema says so; otherwise clients would be told extra fields are fine and then
    get ``unknown_field``.
    """
    components = result.get("components", {}).get("schemas", {})
    for name, component in components.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    # A body with required fields (or one of several shapes) cannot be left out.
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            for media in body.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                component = components.get(ref.rsplit("/", 1)[-1], {})
                if component.get("required") or "oneOf" in component:
                    body["required"] = True
    return result
