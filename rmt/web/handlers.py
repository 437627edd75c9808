"""The one way an HTML form is submitted to a service.

    return submit(form, lambda: service.add_note(current_user, case, ...),
                  on_error=lambda status: render_page(form, status),
                  on_success=lambda note: redirect(url_for(...)))

The unit of work commits after the view; :func:`submit` only runs the service in a savepoint, so
a refusal leaves nothing of the change behind while the rest of the request stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from rmt import transaction
from rmt.errors_domain import DomainError, Forbidden

T = TypeVar("T")

STALE_MESSAGE = ("Iemand anders heeft deze gegevens intussen gewijzigd. Uw wijziging is niet "
                 "opgeslagen; de pagina toont nu de nieuwste gegevens. Voer uw wijziging zo nodig "
                 "opnieuw in.")


def submit(form: FlaskForm, apply: Callable[[], T], *,
           on_error: Callable[[int], ResponseReturnValue],
           on_success: Callable[[T], ResponseReturnValue],
           success_message: str | Callable[[T], str] | None = None,
           validate: bool = True) -> ResponseReturnValue:
    """Validate ``form``, run ``apply`` in a savepoint, then answer.

    - invalid input: ``on_error(400)``;
    - a service refusal: the message at its field, ``on_error(400)`` or ``on_error(409)``;
    - a version conflict found at flush: a message above the form, ``on_error(409)``;
    - a role refusal (:class:`Forbidden`) goes on to the app's 403 page;
    - success: the flash message, then ``on_success(result)``.
    """
    if validate and not form.validate_on_submit():
        return on_error(400)
    try:
        with transaction.attempt():
            result = apply()
    except Forbidden:
        raise
    except DomainError as error:
        return on_error(_add_domain_error(form, error))
    except StaleDataError:
        _add_error(form, "version", STALE_MESSAGE)
        return on_error(409)
    if success_message:
        flash(success_message(result) if callable(success_message) else success_message,
              "success")
    return on_success(result)


def _add_domain_error(form: Any, error: DomainError) -> int:
    if hasattr(form, "add_domain_error"):
        status = form.add_domain_error(error)
        return status if isinstance(status, int) else 409 if error.status == 409 else 400
    _add_error(form, error.field, error.message)
    return 409 if error.status == 409 else 400


def _add_error(form: Any, field_name: str | None, message: str) -> None:
    if hasattr(form, "add_error"):
        form.add_error(field_name, message)
        return
    target = form._fields.get(field_name) if field_name else None
    if target is None or target.type in ("HiddenField", "CSRFTokenField"):
        form.form_errors.append(message)
    else:
        target.errors = [*target.errors, message]


def reference_form(form_class: type[FlaskForm], record: Any, save: Callable[..., Any],
                   template: str, saved_message_and_url: Callable[[Any], tuple[str, str]],
                   /, **context: Any) -> ResponseReturnValue:
    """Create (``record=None``) or edit one record of reference data with optimistic locking.

    ``save(user, record, data, expected_version=...)`` is the service call. A stale version
    shows the newest data in the form (409); the user's input is not saved. The form has a
    ``version`` field and a ``stale`` flag (set when a refusal was about the version).
    """
    form = form_class(obj=record if request.method == "GET" else None)
    if request.method == "GET" and record is not None:
        form.version.data = str(record.version)

    def render(status: int = 200) -> ResponseReturnValue:
        shown = form
        if getattr(form, "stale", False) and record is not None:
            shown = form_class(formdata=None, obj=record)  # the newest data
            shown.version.data = str(record.version)
            shown.form_errors.extend(form.form_errors)
        return render_template(template, form=shown, **context), status

    if request.method == "GET":
        return render()
    return submit(
        form,
        lambda: save(current_user, record, form.data,
                     expected_version=form.expected_version() if record else None),
        on_error=render, success_message=lambda saved: saved_message_and_url(saved)[0],
        on_success=lambda saved: redirect(saved_message_and_url(saved)[1]))
