from __future__ import annotations

import pytest
import sqlalchemy as sa

from rmt.auth.models import Role, User
from rmt.auth.service import verify_password
from rmt.extensions import db
from tests import helpers
from tests.factories import UserFactory

STRONG = "Sterk-Begin-Wachtwoord-7"


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.mark.parametrize("role", ["coach", "liaison", "coordinator"])
def test_only_admins_manage_users(client, login_as, role):
    login_as(role, "MU")
    assert client.get("/beheer/gebruikers").status_code == 403
    assert client.get("/beheer/gebruikers/nieuw").status_code == 403


def test_list_and_filter(client, login_as):
    login_as("admin")
    UserFactory(name="Anna Amersfoort", role="coach", regions=["AM"])
    UserFactory(name="Frits Foodvalley", role="liaison", regions=["FV"])
    html = helpers.html(client.get("/beheer/gebruikers?regio=AM"))
    assert "Anna Amersfoort" in html and "Frits Foodvalley" not in html
    html = helpers.html(client.get("/beheer/gebruikers?rol=liaison"))
    assert "Frits Foodvalley" in html and "Anna Amersfoort" not in html
    assert client.get("/beheer/gebruikers?rol=bestaat-niet&regio=XX").status_code == 200
    assert client.get("/beheer/gebruikers?regio=%00").status_code == 400


def test_create_user(client, login_as):
    login_as("admin")
    response = client.post_form("/beheer/gebruikers/nieuw", {
        "email": "Nieuw@RMT.nl", "name": "Nieuwe Coach", "role": "coach",
        "regions": ["MU", "FV"], "password": STRONG, "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nieuw@rmt.nl"))
    assert user.role == Role.COACH and user.region_codes == {"MU", "FV"}
    assert verify_password(user.password_hash, STRONG)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": ""}, "Vul het e-mailadres in."),
        ({"email": "geen-adres"}, "Vul een geldig e-mailadres in"),
        ({"email": "bestaand@rmt.nl"}, "Er bestaat al een gebruiker met dit e-mailadres."),
        ({"role": "superuser"}, "Kies een geldige rol."),
        ({"regions": []}, "Kies minstens één regio."),
        ({"regions": ["XX"]}, "Kies alleen bestaande regio&#39;s."),
        ({"password": "kort"}, "Gebruik minstens 12 tekens."),
        ({"name": "x" * 300}, "Gebruik hoogstens 200 tekens."),
    ],
)
def test_create_user_bad_input(client, login_as, data, message):
    login_as("admin")
    UserFactory(email="bestaand@rmt.nl")
    before = user_count()
    form = {"email": "ok@rmt.nl", "name": "Naam", "role": "coach", "regions": ["MU"],
            "password": STRONG, **data}
    response = client.post_form("/beheer/gebruikers/nieuw", form)
    assert response.status_code == 400
    assert message in helpers.html(response)
    assert user_count() == before


def test_edit_role_regions_and_deactivate(client, login_as):
    login_as("admin")
    user = UserFactory(role="coach", regions=["MU"])
    response = client.post_form(f"/beheer/gebruikers/{user.id}", {
        "name": "Andere Naam", "role": "coordinator", "regions": ["AM", "GV"]})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.role, user.region_codes, user.active) == (
        "Andere Naam", Role.COORDINATOR, {"AM", "GV"}, False)


def test_admin_cannot_lock_themselves_out(client, login_as):
    admin = login_as("admin")
    response = client.post_form(f"/beheer/gebruikers/{admin.id}", {
        "name": admin.name, "role": "coach", "regions": ["MU"], "active": "y"})
    assert response.status_code == 400
    assert admin.role == Role.ADMIN


def test_unknown_user_is_404(client, login_as):
    login_as("admin")
    assert client.get("/beheer/gebruikers/999999").status_code == 404


def test_cli_create_user(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "cli@rmt.nl", "--name", "Cli Coach",
                                 "--role", "coach", "--region", "MU", "--region", "AM",
                                 "--password", STRONG])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli@rmt.nl"))
    assert user.region_codes == {"MU", "AM"}
    again = runner.invoke(args=["users", "create", "--email", "cli@rmt.nl", "--name", "X",
                                "--role", "coach", "--region", "MU", "--password", STRONG])
    assert again.exit_code != 0 and "bestaat al" in again.output
    weak = runner.invoke(args=["users", "create", "--email", "w@rmt.nl", "--name", "X",
                               "--role", "coach", "--region", "MU", "--password", "zwak"])
    assert weak.exit_code != 0 and "12 tekens" in weak.output


def test_demo_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    count = user_count()
    second = runner.invoke(args=["demo", "seed"])
    assert "0 gebruikers aangemaakt" in second.output
    assert user_count() == count
    emails = set(db.session.scalars(sa.select(User.email)))
    for role in ("coach", "liaison", "coordinator"):
        for region in ("mu", "am", "gv", "fv"):
            assert f"{role}.{region}@demo.rmt.test" in emails
    assert "admin@demo.rmt.test" in emails
