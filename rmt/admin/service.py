"""The admin's changes to a user, with the rules that protect the work they carry.

A user with running cases or open tasks is not deactivated silently: the first attempt is
refused with the counts (:class:`rmt.errors_domain.Conflict` ``workload`` at the field
``confirm_deactivation``), and only a confirmed one goes through. Then ``user_deactivated``
tells the coordinators of each case's region to reassign it (rmt.notifications) and hands the
user's tasks on other coaches' cases to those coaches (rmt.cases.receivers); the coordinators
reassign the caseload in bulk on ``/trajecten/overnemen``.
"""

from __future__ import annotations

from flask_babel import ngettext

from rmt.auth import service as auth_service
from rmt.auth.models import Role, User
from rmt.cases.queries import Workload, workload
from rmt.errors_domain import Conflict, DomainError

OWN_RIGHTS_MESSAGE = "U kunt uw eigen beheerrechten niet intrekken."


def workload_sentence(name: str, load: Workload) -> str:
    """"Sanne heeft 30 lopende trajecten en 2 open acties." (Dutch, counts only)."""
    cases = ngettext("%(num)d lopend traject", "%(num)d lopende trajecten", load.running_cases)
    tasks = ngettext("%(num)d open actie", "%(num)d open acties", load.open_tasks)
    return f"{name} heeft {cases} en {tasks}."


def update_user(admin: User, user: User, *, name: str, role: Role, regions: list[str],
                active: bool, confirm_deactivation: bool = False) -> None:
    """Change a user from the admin page; see the module docstring for deactivation."""
    if user.id == admin.id and (not active or Role(role) != Role.ADMIN):
        raise DomainError(OWN_RIGHTS_MESSAGE, field="active")
    if user.active and not active:
        load = workload(user)
        if load and not confirm_deactivation:
            raise Conflict(
                workload_sentence(user.name, load) + " Na het deactiveren krijgen de "
                "coördinatoren van de regio bericht om de trajecten aan een andere coach toe te "
                "wijzen; acties op trajecten van anderen gaan naar de coach van dat traject. "
                "Bevestig om toch te deactiveren.",
                field="confirm_deactivation", code="workload",
                running_cases=load.running_cases, open_tasks=load.open_tasks)
    auth_service.update_user(user, name=name, role=role, regions=regions, active=active,
                             by=admin)
