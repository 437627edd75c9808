"""Form helpers shared by every feature: Dutch messages for the common validators."""

from __future__ import annotations

from wtforms import validators

REQUIRED = "Dit veld is verplicht."


def required(message: str = REQUIRED) -> validators.InputRequired:
    return validators.InputRequired(message=message)


def max_length(n: int) -> validators.Length:
    return validators.Length(max=n, message=f"Gebruik hoogstens {n} tekens.")


def email_address() -> validators.Regexp:
    # A deliberately simple check; delivery is not our concern, obvious typos are.
    return validators.Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        message="Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.",
    )
