"""The main menu as data: a few top-level items, the rest grouped by subject.

Every link is shown only to users the policy allows (``actions``: any one suffices; none means
every signed-in user), so the menu depends on the role alone, and on whether the user has a
password at all (``needs_password``; SSO-only accounts have none). A group with one visible
link becomes that link; an empty group goes.
``templates/_nav.html`` renders it: groups are ``<details>`` disclosures, so the menu needs no
script (the app has none: tests/security/test_headers.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rmt.access import Action, can


@dataclass(frozen=True)
class MenuLink:
    endpoint: str
    label: str
    actions: tuple[Action, ...] = ()
    #: Only for people who sign in with a password (not for SSO-only accounts).
    needs_password: bool = False


@dataclass(frozen=True)
class MenuGroup:
    label: str
    links: tuple[MenuLink, ...]
    #: Placed at the end of the bar (the user's own settings).
    end: bool = False


@dataclass(frozen=True)
class ShownGroup:
    """A group as rendered: its visible links, and whether the current page is one of them."""

    label: str
    links: list[MenuLink]
    current: bool
    end: bool = False

    @property
    def single(self) -> MenuLink | None:
        return self.links[0] if len(self.links) == 1 else None


_A = Action
MENU: tuple[MenuLink | MenuGroup, ...] = (
    MenuLink("main.index", "Start"),
    MenuGroup("Trajecten", (
        MenuLink("cases.case_list", "Overzicht trajecten", (_A.VIEW_CASE,)),
        MenuLink("cases.register", "Nieuwe aanmelding", (_A.CREATE_CASE,)),
        MenuLink("cases.transfers", "Overdrachten", (_A.DECIDE_TRANSFER,)),
        MenuLink("praktijkverklaring.register", "Praktijkverklaringen", (_A.VIEW_CASE,)),
    )),
    MenuGroup("Vouchers", (
        MenuLink("vouchers.mine", "Mijn vouchers", (_A.REQUEST_VOUCHER,)),
        MenuLink("vouchers.inbox", "Voucheraanvragen", (_A.DECIDE_VOUCHER,)),
        MenuLink("vouchers.budgets", "Budgetten", (_A.MANAGE_BUDGET, _A.MANAGE_REFERENCE_DATA)),
    )),
    MenuGroup("Werkgevers", (
        MenuLink("employers.employers", "Werkgevers", (_A.VIEW_EMPLOYERS,)),
        MenuLink("employers.vacancies", "Vacatures", (_A.VIEW_EMPLOYERS,)),
        MenuLink("employers.sectors", "Sectoren", (_A.SET_SECTOR_PRIORITY,)),
    )),
    MenuGroup("Cijfers", (
        MenuLink("stats.index", "Cijfers", (_A.VIEW_STATS,)),
        MenuLink("stats.compare", "Regio's vergelijken", (_A.COMPARE_REGIONS,)),
        MenuLink("stats.monitor_page", "Kwartaalmonitor", (_A.VIEW_MONITOR, _A.COMPARE_REGIONS)),
    )),
    MenuGroup("Beheer", (
        MenuLink("admin.users", "Gebruikers", (_A.MANAGE_USERS,)),
        MenuLink("vouchers.providers", "Opleiders", (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("vouchers.funding_sources", "Financiers", (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("cases.service_types", "Soorten dienst", (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("cases.partners", "Partners", (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("praktijkverklaring.schools", "Mbo-scholen", (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("praktijkverklaring.qualifications", "Kwalificaties",
                 (_A.MANAGE_REFERENCE_DATA,)),
        MenuLink("imports.index", "Importeren", (_A.IMPORT_DATA,)),
        MenuLink("notifications.dead_letters", "Onbestelbare e-mail", (_A.MANAGE_USERS,)),
        MenuLink("audit.index", "Auditlog", (_A.READ_AUDIT_LOG,)),
        MenuLink("privacy.index", "Privacyverzoeken", (_A.HANDLE_PRIVACY_REQUEST,)),
        MenuLink("privacy.consents", "Toestemmingen", (_A.VIEW_CONSENT_REGISTER,)),
    )),
    MenuGroup("Mijn account", (
        MenuLink("auth.change_password", "Wachtwoord wijzigen", needs_password=True),
        MenuLink("auth.totp_settings", "Tweede factor"),
        MenuLink("notifications.settings", "Instellingen meldingen"),
    ), end=True),
)


def _allowed(user: Any, link: MenuLink) -> bool:
    if link.needs_password and not getattr(user, "has_password", True):
        return False
    return not link.actions or any(can(user, action) for action in link.actions)


def menu_for(user: Any, endpoint: str | None) -> list[MenuLink | ShownGroup]:
    """The menu ``user`` sees on the page of ``endpoint``: links and non-empty groups."""
    shown: list[MenuLink | ShownGroup] = []
    for entry in MENU:
        if isinstance(entry, MenuLink):
            if _allowed(user, entry):
                shown.append(entry)
            continue
        links = [link for link in entry.links if _allowed(user, link)]
        if links:
            shown.append(ShownGroup(entry.label, links,
                                    any(link.endpoint == endpoint for link in links), entry.end))
    return shown
