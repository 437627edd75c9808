"""What the codes in the audit log mean, in Dutch: one title per action code and a name per
kind of record. The log stores the code (stable, part of the hash chain); people read the title.

``tests/audit/test_action_titles.py`` reads every ``audit.record(...)`` in ``rmt/`` and fails
when a code or a kind of record has no title here. A code that is no longer recorded keeps its
title: old entries still carry it.
"""

from __future__ import annotations

from typing import Any

ACTION_TITLES: dict[str, str] = {
    # sign-in, second factor, accounts and API tokens
    "auth.sign_in": "Ingelogd",
    "auth.sign_in_failed": "Inlogpoging mislukt",
    "auth.sign_in_locked": "Inlogpoging tijdens wachttijd",
    "auth.sign_out": "Uitgelogd",
    "auth.sign_in_refused": "Inloggen met wachtwoord geweigerd (SSO verplicht)",
    "auth.setting_change": "Inloginstelling gewijzigd",
    "auth.sso_ok": "Ingelogd via SSO",
    "auth.sso_refused": "Inloggen via SSO geweigerd",
    "auth.sso_linked": "SSO-account gekoppeld",
    "auth.sso_unlinked": "SSO-account ontkoppeld",
    "auth.sso_mapping_changed": "Rol of regio's gewijzigd via SSO-groepen",
    "case.task_owner": "Actie aan andere eigenaar gegeven",
    "case.reopen": "Traject heropend",
    "case.reassign_caseload": "Trajecten van een coach overgedragen",
    "transfer.summary_view": "Samenvatting voor overdracht bekeken",
    "privacy_request.record": "Privacyverzoek vastgelegd",
    "privacy_request.close": "Privacyverzoek afgehandeld",
    "privacy_request.transfer": "Privacyverzoek meegegaan met overdracht",
    "auth.password_ok": "Wachtwoord goed, tweede factor gevraagd",
    "auth.second_factor_failed": "Tweede factor onjuist",
    "auth.recovery_code_used": "Herstelcode gebruikt",
    "auth.recovery_codes_new": "Nieuwe herstelcodes gemaakt",
    "auth.totp_enable": "Tweede factor ingesteld",
    "auth.totp_enrol_failed": "Instellen tweede factor mislukt",
    "auth.totp_disable": "Tweede factor uitgezet",
    "auth.totp_reset": "Tweede factor hersteld door beheerder",
    "user.create": "Gebruiker aangemaakt",
    "user.update": "Gebruiker gewijzigd",
    "user.view": "Gebruiker bekeken",
    "user.password_change": "Wachtwoord gewijzigd",
    "api_token.create": "API-token aangemaakt",
    "api_token.revoke": "API-token ingetrokken",
    "api_token.without_second_factor": "API-token zonder tweede factor aangemaakt",
    # the audit log itself
    "audit.list_view": "Auditlog bekeken",
    "audit.export": "Auditlog gedownload",
    # cases
    "case.create": "Kandidaat aangemeld",
    "case.view": "Dossier bekeken",
    "case.list_view": "Trajectenlijst bekeken",
    "case.start_view": "Startpagina met trajecten bekeken",
    "case.work_profile_view": "Werkprofiel bekeken",
    "case.intake": "Intake vastgelegd",
    "case.plan": "Trajectplan vastgelegd",
    "case.transition": "Stap van het traject gewijzigd",
    "case.activity_add": "Activiteit toegevoegd",
    "case.activity_status": "Status van activiteit gewijzigd",
    "case.note_add": "Aantekening toegevoegd",
    "case.task_add": "Actie toegevoegd",
    "case.task_done": "Actie afgerond",
    "case.reassign": "Andere loopbaancoach toegewezen",
    "case.transfer_request": "Overdracht naar andere regio gevraagd",
    "case.transfer_accept": "Overdracht geaccepteerd",
    "case.transfer_refuse": "Overdracht geweigerd",
    "case.transfer_withdraw": "Overdrachtsverzoek ingetrokken",
    "candidate.update": "Kandidaatgegevens gewijzigd",
    "consent.give": "Toestemming vastgelegd",
    "consent.revoke": "Toestemming ingetrokken",
    "consent.register_view": "Toestemmingsregister bekeken",
    # privacy
    "privacy.search": "Gezocht naar een betrokkene",
    "privacy.subject_access": "Inzageverzoek uitgevoerd",
    "privacy.erase": "Gegevens gewist op verzoek",
    "privacy.retention_anonymise": "Geanonimiseerd na bewaartermijn",
    # documents
    "document.upload": "Document toegevoegd",
    "document.version": "Nieuwe versie van document",
    "document.view": "Documentgegevens bekeken",
    "document.download": "Document gedownload",
    "document.delete": "Document verwijderd",
    # employers, vacancies, proposals and placements
    "employer.create": "Werkgever geregistreerd",
    "employer.update": "Werkgever gewijzigd",
    "employer.view": "Werkgever bekeken",
    "employer.merge": "Werkgevers samengevoegd",
    "employer.contact_add": "Contactpersoon toegevoegd",
    "employer.contact_update": "Contactpersoon gewijzigd",
    "employer.contact_moment": "Contactmoment vastgelegd",
    "employer.follow_up_done": "Vervolgafspraak afgerond",
    "sector.create": "Sector toegevoegd",
    "sector.update": "Sector gewijzigd",
    "sector.priority": "Prioritaire sectoren van de regio gewijzigd",
    "vacancy.create": "Vacature toegevoegd",
    "vacancy.update": "Vacature gewijzigd",
    "vacancy.view": "Vacature bekeken",
    "vacancy.status": "Status van vacature gewijzigd",
    "proposal.create": "Kandidaat voorgedragen",
    "proposal.transition": "Status van voordracht gewijzigd",
    "proposal.view": "Voordracht bekeken",
    "proposal.list": "Voordrachten opgevraagd",
    "placement.create": "Plaatsing vastgelegd",
    "placement.end": "Plaatsing beëindigd",
    "placement.follow_up": "Nazorgcontact vastgelegd",
    "placement.view": "Plaatsing bekeken",
    "placement.list": "Plaatsingen opgevraagd",
    # reference data
    "service_type.create": "Dienst toegevoegd",
    "service_type.update": "Dienst gewijzigd",
    "delivery_partner.create": "Uitvoeringspartner toegevoegd",
    "delivery_partner.update": "Uitvoeringspartner gewijzigd",
    "training_provider.create": "Opleider toegevoegd",
    "training_provider.update": "Opleider gewijzigd",
    "funding_source.create": "Financier toegevoegd",
    "funding_source.update": "Financier gewijzigd",
    # vouchers and budgets
    "budget.create": "Budget aangemaakt",
    "budget.update": "Budget gewijzigd",
    "budget.view": "Budget bekeken",
    "budget.export": "Vouchers van budget gedownload",
    "voucher.request": "Voucher aangevraagd",
    "voucher.view": "Voucher bekeken",
    "voucher.list_view": "Voucherlijst bekeken",
    "voucher.aangevraagd": "Voucher opnieuw aangevraagd",
    "voucher.toegekend": "Voucher toegekend",
    "voucher.afgewezen": "Voucher afgewezen",
    "voucher.ingetrokken": "Voucher ingetrokken",
    "voucher.gestart": "Opleiding gestart",
    "voucher.afgebroken": "Opleiding afgebroken",
    "voucher.afgerond": "Opleiding afgerond",
    "voucher.gedeclareerd": "Voucher gedeclareerd",
    "voucher.betaald": "Voucher betaald",
    # praktijkverklaring
    "pv.create": "Praktijkverklaring aangevraagd",
    "pv.update": "Praktijkverklaring gewijzigd",
    "pv.view": "Praktijkverklaring bekeken",
    "pv.work_processes": "Werkprocessen vastgesteld",
    "pv.assess": "Werkproces beoordeeld",
    "pv.transition": "Stap van praktijkverklaring gewijzigd",
    "pv.register_view": "Register praktijkverklaringen bekeken",
    "pv.register_export": "Register praktijkverklaringen gedownload",
    "pv.school_create": "Mbo-school toegevoegd",
    "pv.school_update": "Mbo-school gewijzigd",
    "pv.qualification_create": "Kwalificatie toegevoegd",
    "pv.qualification_update": "Kwalificatie gewijzigd",
    "pv.work_process_create": "Werkproces toegevoegd",
    "pv.work_process_update": "Werkproces gewijzigd",
    # imports and demo data
    "import.run": "Bestand geïmporteerd",
    "import.mapping_save": "Kolomindeling van import opgeslagen",
    "demo.seed": "Demogegevens geladen",
}

#: The kind of record an entry is about (``object_type``), as people call it.
OBJECT_TYPES: dict[str, str] = {
    "case": "Traject",
    "candidate": "Kandidaat",
    "user": "Gebruiker",
    "auth_setting": "Inloginstelling",
    "privacy_request": "Privacyverzoek",
    "audit_entry": "Auditregel",
    "employer": "Werkgever",
    "vacancy": "Vacature",
    "proposal": "Voordracht",
    "placement": "Plaatsing",
    "sector": "Sector",
    "service_type": "Dienst",
    "delivery_partner": "Uitvoeringspartner",
    "training_provider": "Opleider",
    "funding_source": "Financier",
    "budget": "Budget",
    "voucher": "Voucher",
    "mbo_school": "Mbo-school",
    "pv_qualification": "Kwalificatie",
    "pv_register": "Register praktijkverklaringen",
    "import_mapping": "Kolomindeling import",
    "import_run": "Import",
}


def action_title(code: str) -> str:
    """The Dutch title of an action code; an unknown code (never expected) as it is."""
    return ACTION_TITLES.get(code, code)


def object_label(object_type: str | None, object_id: Any = None) -> str:
    """"Vacature 49", "Register praktijkverklaringen MU"; "" without a kind of record."""
    if not object_type:
        return ""
    name = OBJECT_TYPES.get(object_type, object_type)
    return f"{name} {object_id}" if object_id not in (None, "") else name
