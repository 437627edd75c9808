"""Meldingen: the user's notifications, preferences, and the admin's dead letters.

The unread count in the header comes from :func:`unread_count_in_header`, a context processor
that runs one indexed count for a signed-in user only (once per request, kept in ``g``):
``SELECT count(*) FROM notification WHERE user_id = ? AND read_at IS NULL``.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from flask_login import current_user, login_required

from rmt.access import Action, role_required
from rmt.errors_domain import NotFound
from rmt.notifications import service
from rmt.notifications.forms import EmptyForm, PreferencesForm
from rmt.notifications.models import Kind
from rmt.web.handlers import submit

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread_count_in_header() -> dict:
    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        if "rmt_unread" not in g:
            try:
                g.rmt_unread = service.unread_count(current_user.id)
            except sa.exc.DBAPIError:
                # The 503 page of a lost database renders this header too: no count then.
                current_app.logger.warning("Unread count unavailable on %s", request.path)
                g.rmt_unread = 0
        return g.rmt_unread

    # A function, so the count runs only where base.html asks for it (signed in).
    return {"unread_notifications": unread}


@bp.route("/meldingen")
@login_required
def index():
    return render_template("notifications/index.html", items=service.page_of(current_user),
                           form=EmptyForm())


@bp.route("/meldingen/<id:notification_id>")
@login_required
def open_one(notification_id: int):
    try:
        target = service.open_notification(current_user, notification_id)
    except NotFound:
        abort(404)
    return redirect(target)


@bp.route("/meldingen/<id:notification_id>/gelezen", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.mark_read(current_user, notification_id)
    except NotFound:
        abort(404)
    flash("De melding is als gelezen gemarkeerd.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/meldingen/alles-gelezen", methods=["POST"])
@login_required
def mark_all_read():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    count = service.mark_all_read(current_user)
    flash(ngettext("%(num)d melding als gelezen gemarkeerd.",
                   "%(num)d meldingen als gelezen gemarkeerd.", count), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/meldingen/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    form = PreferencesForm()

    def page(status: int) -> ResponseReturnValue:
        return render_template("notifications/settings.html", form=form, kinds=list(Kind)), status

    if form.is_submitted():
        return submit(form, lambda: service.set_preferences(
            current_user, {kind.value: form[kind.value].data for kind in Kind}),
            on_error=page, on_success=lambda _: redirect(url_for("notifications.settings")),
            success_message="Uw instellingen voor meldingen zijn opgeslagen.")
    for kind, delivery in service.preferences(current_user).items():
        form[kind.value].data = delivery.value
    return page(200)


@bp.route("/beheer/onbestelbare-e-mail")
@role_required(Action.MANAGE_USERS)
def dead_letters():
    return render_template("notifications/dead_letters.html", mails=service.dead_letters(),
                           form=EmptyForm())


@bp.route("/beheer/onbestelbare-e-mail/<id:mail_id>/opnieuw", methods=["POST"])
@role_required(Action.MANAGE_USERS)
def retry(mail_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.retry_dead_letter(mail_id)
    except NotFound:
        abort(404)
    flash("De e-mail staat weer klaar voor verzending.", "success")
    return redirect(url_for("notifications.dead_letters"))
