from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from rmt.access import Action, can, get_or_404, require, scoped
from rmt.access.policy import POLICY
from rmt.auth.models import Role
from rmt.errors_domain import Forbidden
from rmt.extensions import db
from rmt.regions.models import Municipality
from tests.factories import UserFactory


def municipality(region: str) -> Municipality:
    return db.session.scalar(
        sa.select(Municipality).where(Municipality.region_code == region).limit(1)
    )


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_table(action, role):
    user = UserFactory(role=role, regions=["MU"])
    assert can(user, action) == (role in POLICY[action])


def test_every_action_has_a_policy_row():
    assert set(POLICY) == set(Action)


def test_admin_sees_no_case_content():
    admin = UserFactory(role=Role.ADMIN, regions=["MU"])
    for action in (Action.VIEW_CASE, Action.EDIT_CASE, Action.VIEW_NOTES,
                   Action.VIEW_WORK_PROFILE):
        assert not can(admin, action)


def test_liaison_sees_work_profile_but_not_notes():
    liaison = UserFactory(role=Role.LIAISON, regions=["MU"])
    assert can(liaison, Action.VIEW_WORK_PROFILE)
    assert not can(liaison, Action.VIEW_NOTES)
    assert not can(liaison, Action.VIEW_CASE)


def test_unknown_action_and_anonymous_fail_closed():
    from flask_login import AnonymousUserMixin

    coach = UserFactory(role=Role.COACH)
    assert not can(coach, "delete_everything")
    assert not can(AnonymousUserMixin(), Action.VIEW_CASE)
    assert not can(None, Action.VIEW_CASE)


def test_inactive_user_may_do_nothing():
    coach = UserFactory(role=Role.COACH, active=False)
    assert not any(can(coach, action) for action in Action)


def test_region_of_object_must_be_a_membership():
    coach = UserFactory(role=Role.COACH, regions=["MU", "AM"])
    assert can(coach, Action.VIEW_REFERENCE_DATA, municipality("MU"))
    assert can(coach, Action.VIEW_REFERENCE_DATA, municipality("AM"))
    assert not can(coach, Action.VIEW_REFERENCE_DATA, municipality("FV"))


def test_scoped_limits_to_member_regions():
    coach = UserFactory(role=Role.COACH, regions=["GV"])
    rows = db.session.scalars(
        scoped(sa.select(Municipality), coach, Municipality, Action.VIEW_REFERENCE_DATA)
    ).all()
    assert rows and {m.region_code for m in rows} == {"GV"}


def test_scoped_is_empty_without_permission_or_regions():
    admin = UserFactory(role=Role.ADMIN, regions=["MU"])
    coach_without_region = UserFactory(role=Role.COACH, regions=[])
    cases = ((admin, Action.VIEW_CASE), (coach_without_region, Action.VIEW_REFERENCE_DATA))
    for user, action in cases:
        query = scoped(sa.select(Municipality), user, Municipality, action)
        assert db.session.scalars(query).all() == []


def test_get_or_404_hides_other_regions(app):
    coach = UserFactory(role=Role.COACH, regions=["MU"])
    own, other = municipality("MU"), municipality("FV")
    with app.test_request_context():
        assert get_or_404(Municipality, own.id, coach, Action.VIEW_REFERENCE_DATA) is own
        for ident in (other.id, 999_999, "not-a-number", None):
            with pytest.raises(NotFound):
                get_or_404(Municipality, ident, coach, Action.VIEW_REFERENCE_DATA)


def test_require_raises_forbidden_unless_allowed():
    coach = UserFactory(role=Role.COACH, regions=["MU"])
    coordinator = UserFactory(role=Role.COORDINATOR, regions=["MU"])
    require(coach, Action.EDIT_CASE)
    with pytest.raises(Forbidden) as refused:
        require(coordinator, Action.EDIT_CASE, message="U mag dit traject niet wijzigen.")
    assert refused.value.status == 403 and refused.value.code == "forbidden"
    assert refused.value.message == "U mag dit traject niet wijzigen."
    with pytest.raises(Forbidden) as default:
        require(coordinator, Action.EDIT_CASE)
    assert default.value.message == Forbidden().message


def test_require_with_several_actions_needs_any_one():
    coordinator = UserFactory(role=Role.COORDINATOR, regions=["MU"])
    require(coordinator, (Action.EDIT_CASE, Action.REASSIGN_CASE))
    with pytest.raises(Forbidden):
        require(coordinator, (Action.EDIT_CASE, Action.CREATE_CASE))


def test_require_checks_the_region_of_the_object():
    class InAmersfoort:
        region_code = "AM"

    coach = UserFactory(role=Role.COACH, regions=["MU"])
    with pytest.raises(Forbidden):
        require(coach, Action.EDIT_CASE, InAmersfoort())
