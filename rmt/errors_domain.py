"""Errors raised by services; views turn them into form errors, the API into problem+json."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the action. ``field`` names the input it concerns, if any."""

    status = 422

    def __init__(self, message: str, field: str | None = None, code: str = "invalid",
                 **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.extra = extra


class Forbidden(DomainError):
    """The user's role does not allow the action (HTTP 403). Never used to hide a record of
    another region: that is a 404 through :mod:`rmt.access`."""

    status = 403

    def __init__(self, message: str = "U hebt geen toestemming voor deze actie.",
                 field: str | None = None, code: str = "forbidden", **extra: object) -> None:
        super().__init__(message, field=field, code=code, **extra)


class NotFound(DomainError):
    """A record the action refers to does not exist or lies outside the user's regions (404)."""

    status = 404

    def __init__(self, message: str = "Niet gevonden.", field: str | None = None,
                 code: str = "not_found", **extra: object) -> None:
        super().__init__(message, field=field, code=code, **extra)


class ServiceUnavailable(Exception):
    """The database could not be reached or stayed locked; the request may be retried (503)."""

    status = 503
    retry_after = 5


class Conflict(DomainError):
    """The action is not possible in the record's current state (HTTP 409)."""

    status = 409


class StaleVersion(Conflict):
    """Someone else saved the record after it was loaded (optimistic locking, HTTP 409)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "Iemand anders heeft dit traject intussen gewijzigd. Uw wijziging is niet opgeslagen; "
            "de pagina toont nu de nieuwste gegevens. Voer uw wijziging zo nodig opnieuw in.",
            field="version", code="stale_version", current_version=current_version)
