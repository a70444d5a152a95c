"""OpenAPI additions: the error shape that every operation may answer with."""

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
