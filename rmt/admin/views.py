"""Functioneel beheer: users, roles and region memberships. No case content here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from flask_login import current_user

from rmt import audit
from rmt.access import Action, role_required
from rmt.admin import service as admin_service
from rmt.admin.forms import SsoSettingForm, UserCreateForm, UserUpdateForm
from rmt.auth import oidc, service, sso, totp
from rmt.auth.models import ExternalIdentity, Role, User
from rmt.cases.queries import workload
from rmt.extensions import db
from rmt.regions.models import Region
from rmt.web.handlers import submit

bp = Blueprint("admin", __name__, url_prefix="/beheer")


def _regions() -> list[Region]:
    return list(db.session.scalars(sa.select(Region).order_by(Region.name)))


@bp.route("/gebruikers")
@role_required(Action.MANAGE_USERS)
def users():
    query = sa.select(User).order_by(User.active.desc(), User.name)
    role = request.args.get("rol")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    region = request.args.get("regio")
    if region:
        query = query.where(User.memberships.any(region_code=region))
    return render_template("admin/users.html", users=db.session.scalars(query).all(),
                           regions=_regions(), roles=list(Role), selected_role=role,
                           selected_region=region)


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@role_required(Action.MANAGE_USERS)
def user_create():
    form = UserCreateForm()
    form.set_region_choices(_regions())

    def page(status: int) -> ResponseReturnValue:
        return render_template("admin/user_form.html", form=form, user=None), status

    def create() -> User:
        user = service.create_user(email=form.email.data, name=form.name.data,
                                   role=Role(form.role.data), regions=form.regions.data,
                                   password=form.password.data)
        user.active = form.active.data
        return user

    if request.method != "POST":
        return page(200)
    return submit(form, create, on_error=page,
                  on_success=lambda user: redirect(url_for("admin.user_edit", user_id=user.id)),
                  success_message=lambda user: f"Gebruiker {user.email} is aangemaakt.")


@bp.route("/gebruikers/<id:user_id>", methods=["GET", "POST"])
@role_required(Action.MANAGE_USERS)
def user_edit(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserUpdateForm(obj=user if request.method == "GET" else None)
    form.set_region_choices(_regions())
    load = workload(user)

    def page(status: int) -> ResponseReturnValue:
        return render_template(
            "admin/user_form.html", form=form, user=user, workload=load,
            workload_sentence=admin_service.workload_sentence(user.name, load),
            ask_confirmation=bool(form.confirm_deactivation.errors),
            identities=sso.identities(user)), status

    def update() -> None:
        admin_service.update_user(current_user._get_current_object(), user,
                                  name=form.name.data, role=Role(form.role.data),
                                  regions=form.regions.data, active=form.active.data,
                                  confirm_deactivation=form.confirm_deactivation.data)

    if request.method == "POST":
        return submit(form, update, on_error=page,
                      on_success=lambda _: redirect(url_for("admin.user_edit", user_id=user.id)),
                      success_message="De wijzigingen zijn opgeslagen.")
    form.role.data = user.role.value
    form.regions.data = sorted(user.region_codes)
    form.active.data = user.active
    audit.record("user.view", object_type="user", object_id=user.id)
    return page(200)


@bp.route("/gebruikers/<id:user_id>/tokens-intrekken", methods=["POST"])
@role_required(Action.MANAGE_USERS)
def user_revoke_tokens(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    count = service.revoke_api_tokens(user)
    flash(ngettext("%(num)d API-token ingetrokken.", "%(num)d API-tokens ingetrokken.", count),
          "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/gebruikers/<id:user_id>/tweede-factor-herstellen", methods=["POST"])
@role_required(Action.MANAGE_USERS)
def user_reset_totp(user_id: int):
    """Lost phone: clear the user's second factor and end their sessions (audited)."""
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash("Uw eigen tweede factor stelt u opnieuw in op de pagina Tweede factor.", "error")
    elif not user.totp_enabled and user.totp_pending_secret is None:
        flash("Deze gebruiker heeft geen tweede factor ingesteld.", "info")
    else:
        totp.reset(user)
        flash(f"De tweede factor van {user.email} is hersteld. "
              "Bij de volgende keer inloggen stelt de gebruiker een nieuwe in"
              f"{'' if user.totp_required else ' (als die dat wil)'}.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/sso", methods=["GET", "POST"])
@role_required(Action.MANAGE_USERS)
def sso_settings():
    """The configured providers and their mapping (from the environment), whether SSO is
    required, and the linked accounts."""
    form = SsoSettingForm()

    def page(status: int) -> ResponseReturnValue:
        return render_template("admin/sso.html", form=form, providers=oidc.providers(),
                               identities=sso.identities()), status

    if request.method == "POST":
        return submit(form, lambda: service.set_sso_required(form.sso_required.data),
                      on_error=page, on_success=lambda _: redirect(url_for("admin.sso_settings")),
                      success_message="De instelling is opgeslagen.")
    form.sso_required.data = service.sso_required()
    return page(200)


@bp.route("/sso/koppelingen/<id:identity_id>/verwijderen", methods=["POST"])
@role_required(Action.MANAGE_USERS)
def sso_unlink(identity_id: int):
    identity = db.session.get(ExternalIdentity, identity_id) or abort(404)
    email = identity.email
    sso.unlink(identity)
    flash(f"De koppeling met {email} is verwijderd.", "success")
    return redirect(url_for("admin.sso_settings"))
