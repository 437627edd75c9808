"""API tokens follow the person's rights (issue 16, item 4): a role that requires a second
factor gets a token only once it has one (or by an explicit operator override on the CLI), and
deactivation, another role or other regions revoke every token of the person, for good."""

from __future__ import annotations

import pytest

from rmt import signals
from rmt.auth import service
from rmt.auth.models import Role
from rmt.extensions import db
from rmt.transaction import unit_of_work
from tests.factories import UserFactory
from tests.helpers import bearer_header
from tests.security.support import audit_actions, totp_user


def _me(client, token: str) -> int:
    return client.get("/api/v1/me", headers=bearer_header(token)).status_code


def _token(user) -> str:
    with unit_of_work():
        return service.create_api_token(user, label="test")


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_cli_refuses_a_token_without_the_required_second_factor(app, client, role):
    user = UserFactory(role=role, regions=["MU"] if role == "coordinator" else [])
    db.session.commit()  # the refused command rolls back only its own work
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["users", "token", user.email])
    assert refused.exit_code != 0
    assert "tweede factor" in refused.output and "--force-without-second-factor" in refused.output
    assert "api_token.create" not in audit_actions()

    forced = runner.invoke(args=["users", "token", user.email, "--force-without-second-factor"])
    assert forced.exit_code == 0, forced.output
    assert _me(client, forced.output.strip()) == 200
    assert audit_actions()[-2:] == ["api_token.without_second_factor", "api_token.create"]


def test_cli_gives_a_token_once_the_second_factor_is_set_up(app, client):
    user = totp_user("coordinator", "MU")
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    assert _me(client, result.output.strip()) == 200


def test_coaches_need_no_second_factor_for_a_token(app, client):
    user = UserFactory(role="coach")
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0 and _me(client, result.output.strip()) == 200


def test_issue_api_token_is_the_rule_for_every_caller():
    with pytest.raises(service.DomainError) as refused:
        service.issue_api_token(UserFactory(role="coordinator"))
    assert refused.value.code == "second_factor_required"
    with pytest.raises(service.DomainError):
        service.issue_api_token(UserFactory(role="coach", active=False))


def _edit(client, user, **changes) -> None:
    form = {"name": user.name, "role": user.role.value, "regions": sorted(user.region_codes),
            "active": "y" if user.active else ""}
    form.update(changes)
    form = {key: value for key, value in form.items() if value != ""}
    response = client.post_form(f"/beheer/gebruikers/{user.id}", form)
    assert response.status_code == 302, response.get_data(as_text=True)


CHANGES = {
    "deactivation": {"active": ""},
    "role change": {"role": "liaison"},
    "region change": {"regions": ["MU", "AM"]},
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_of_rights_revokes_every_token(client, login_as, change):
    admin = login_as("admin")
    user = UserFactory(role="coach", regions=["MU"])
    tokens = [_token(user), _token(user)]
    assert [_me(client, token) for token in tokens] == [200, 200]
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender.id, kwargs["by"].id, sorted(kwargs)))

    connections = (signals.user_deactivated, signals.user_role_changed,
                   signals.user_regions_changed)
    for signal in connections:
        signal.connect(receiver)
    try:
        _edit(client, user, **CHANGES[change])
    finally:
        for signal in connections:
            signal.disconnect(receiver)

    assert [_me(client, token) for token in tokens] == [401, 401]
    assert "api_token.revoke" in audit_actions()
    expected = {"deactivation": ["by"], "role change": ["by", "previous_role"],
                "region change": ["by", "previous_regions"]}[change]
    assert sent == [(user.id, admin.id, expected)]
    if change == "deactivation":
        _edit(client, user, active="y")  # reactivation brings no token back
        db.session.refresh(user)
        assert user.active and [_me(client, token) for token in tokens] == [401, 401]


def test_a_promotion_to_coordinator_ends_the_coachs_token(client, login_as):
    """The reported case: a coach promoted to coordinator kept listing vouchers with the old
    token without ever setting up a second factor."""
    login_as("admin")
    user = UserFactory(role="coach", regions=["MU"])
    token = _token(user)
    assert client.get("/api/v1/vouchers", headers=bearer_header(token)).status_code == 200
    _edit(client, user, role="coordinator")
    db.session.refresh(user)
    assert user.role == Role.COORDINATOR
    assert client.get("/api/v1/vouchers", headers=bearer_header(token)).status_code == 401


def test_a_change_of_name_only_keeps_the_token(client, login_as):
    login_as("admin")
    user = UserFactory(role="coach", regions=["MU"])
    token = _token(user)
    _edit(client, user, name="Nieuwe Naam")
    assert _me(client, token) == 200
    assert "api_token.revoke" not in audit_actions()
