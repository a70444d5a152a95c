"""Logging filters for the console a developer or operator reads."""

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """A refused request (403, 404) is the client's doing: one line, no traceback.

    Django logs PermissionDenied with its traceback, so every 403 printed ~20 lines
    that look like a crash. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
