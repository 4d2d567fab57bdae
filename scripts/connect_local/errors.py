"""Connect's API errors: an HTTP status plus the numeric ``code`` its clients test.

Every error body is ``{"code": N, "error": "...", "payload": null}``. The codes
and their HTTP statuses are those of the "API error codes" table of Connect's
API reference (https://docs.posit.co/connect/api/#overview--api-error-codes);
``STATUS_OF_CODE`` holds the ones the stand-in answers, and ``refusal`` takes
the status from it so the two cannot disagree. Where the reference does not
say which code one refusal gets, the choice is marked in
scripts/connect_local/README.md ("Fidelity").
"""

from __future__ import annotations

CODE_INTERNAL = 1
CODE_UNSUPPORTED = 2  # "The requested method or endpoint is not supported." (404)
CODE_INVALID_ID = 3
CODE_NOT_FOUND = 4
CODE_BAD_NAME = 5
CODE_USERNAME_TAKEN = 8
CODE_USER_NOT_FOUND = 9
CODE_NOT_YOURS = 10
CODE_MISSING_PARAMETER = 12
CODE_GROUP_NAME_TAKEN = 15
CODE_ALREADY_MEMBER = 16
CODE_NO_PERMISSION = 22
CODE_REQUIRES_AUTHENTICATION = 24
CODE_BAD_REQUEST = 25  # "The parameter is invalid.": the general one
CODE_NAME_TAKEN = 26
CODE_NO_BUNDLE = 28
CODE_UNAUTHENTICATED = 30  # a key Connect does not know (rsconnect: "not valid")
CODE_NOT_A_PUBLISHER = 33
CODE_OWNER_AS_PRINCIPAL = 34
CODE_BAD_MANIFEST = 38
CODE_LOCK_NOT_ALLOWED = 49
CODE_USER_LOCKED = 50
CODE_VANITY_TAKEN = 51
CODE_VANITY_NOT_PERMITTED = 52
CODE_ACTIVE_BUNDLE = 75
CODE_BUNDLE_OF_OTHER_CONTENT = 82
CODE_UNPARSEABLE_BODY = 87
CODE_PROHIBITED_ENV_NAME = 108
CODE_UNKNOWN_ROLE = 112
CODE_MAX_PROCESSES_LIMIT = 113
CODE_MIN_ABOVE_MAX = 114
CODE_UNKNOWN_ACCESS_TYPE = 117
CODE_ACCESS_TYPE_NOT_ALLOWED = 118
CODE_INVALID_JSON = 121
CODE_TITLE_LENGTH = 122
CODE_DESCRIPTION_LENGTH = 123
CODE_UNEXTRACTABLE_BUNDLE = 135
CODE_TASK_NOT_FOUND = 141
CODE_DUPLICATE_ENV_NAME = 149
CODE_LOAD_FACTOR = 150
CODE_TIMEOUT_RANGE = 151
CODE_PRINCIPAL_TYPE = 152
CODE_GROUP_NOT_FOUND = 153
CODE_USER_ALREADY_PERMITTED = 154
CODE_GROUP_ALREADY_PERMITTED = 155
CODE_INVALID_INCLUDE = 161

# Code -> HTTP status, from the reference's table.
STATUS_OF_CODE = {
    CODE_INTERNAL: 500,
    CODE_UNSUPPORTED: 404,
    CODE_INVALID_ID: 400,
    CODE_NOT_FOUND: 404,
    CODE_BAD_NAME: 400,
    CODE_USERNAME_TAKEN: 409,
    CODE_USER_NOT_FOUND: 404,
    CODE_NOT_YOURS: 403,
    CODE_MISSING_PARAMETER: 400,
    CODE_GROUP_NAME_TAKEN: 409,
    CODE_ALREADY_MEMBER: 409,
    CODE_NO_PERMISSION: 403,
    CODE_REQUIRES_AUTHENTICATION: 401,
    CODE_BAD_REQUEST: 400,
    CODE_NAME_TAKEN: 409,
    CODE_NO_BUNDLE: 404,
    CODE_UNAUTHENTICATED: 401,
    CODE_NOT_A_PUBLISHER: 403,
    CODE_OWNER_AS_PRINCIPAL: 400,
    CODE_BAD_MANIFEST: 400,
    CODE_LOCK_NOT_ALLOWED: 403,
    CODE_USER_LOCKED: 403,
    CODE_VANITY_TAKEN: 409,
    CODE_VANITY_NOT_PERMITTED: 400,
    CODE_ACTIVE_BUNDLE: 400,
    CODE_BUNDLE_OF_OTHER_CONTENT: 400,
    CODE_UNPARSEABLE_BODY: 400,
    CODE_PROHIBITED_ENV_NAME: 409,
    CODE_UNKNOWN_ROLE: 400,
    CODE_MAX_PROCESSES_LIMIT: 400,
    CODE_MIN_ABOVE_MAX: 400,
    CODE_UNKNOWN_ACCESS_TYPE: 400,
    CODE_ACCESS_TYPE_NOT_ALLOWED: 403,
    CODE_INVALID_JSON: 400,
    CODE_TITLE_LENGTH: 400,
    CODE_DESCRIPTION_LENGTH: 400,
    CODE_UNEXTRACTABLE_BUNDLE: 400,
    CODE_TASK_NOT_FOUND: 404,
    CODE_DUPLICATE_ENV_NAME: 409,
    CODE_LOAD_FACTOR: 400,
    CODE_TIMEOUT_RANGE: 400,
    CODE_PRINCIPAL_TYPE: 400,
    CODE_GROUP_NOT_FOUND: 404,
    CODE_USER_ALREADY_PERMITTED: 409,
    CODE_GROUP_ALREADY_PERMITTED: 409,
    CODE_INVALID_INCLUDE: 400,
}


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def refusal(code: int, message: str) -> ApiError:
    """The error Connect answers with ``code``, at the status its table gives."""
    return ApiError(STATUS_OF_CODE[code], code, message)


def bad_request(message: str, code: int = CODE_BAD_REQUEST) -> ApiError:
    return refusal(code, message)
