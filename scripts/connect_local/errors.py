"""Connect's API errors: an HTTP status plus the numeric ``code`` its clients test.

Every error body is ``{"code": N, "error": "...", "payload": null}``. The codes
are those of Connect's API reference; 10 for "not yours" is the stand-in's
choice where the reference gives none for a 403.
"""

from __future__ import annotations

CODE_INTERNAL = 1
CODE_UNSUPPORTED = 2
CODE_NOT_FOUND = 4
CODE_BAD_NAME = 5
CODE_BAD_REQUEST = 9
CODE_NOT_YOURS = 10
CODE_NAME_TAKEN = 26
CODE_UNAUTHENTICATED = 30
CODE_PROHIBITED_ENV_NAME = 108
CODE_MAX_PROCESSES_LIMIT = 113
CODE_MIN_ABOVE_MAX = 114
CODE_ACCESS_TYPE_NOT_ALLOWED = 118
CODE_TITLE_LENGTH = 122
CODE_DESCRIPTION_LENGTH = 123
CODE_TIMEOUT_RANGE = 151


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad_request(message: str, code: int = CODE_BAD_REQUEST) -> ApiError:
    return ApiError(400, code, message)
