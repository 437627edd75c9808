"""The audit log keeps ids and codes, never what someone typed (issue 16, item 8).

Every code path that used to put typed text in a summary is run with a marker text; no
audit entry may contain it afterwards.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from rmt.audit.models import AuditEntry
from rmt.auth.models import Role
from rmt.employers import registry, vacancies
from rmt.employers.models import Sector
from rmt.extensions import db
from rmt.praktijkverklaring import service as pv_service
from rmt.process import CaseState
from rmt.vouchers import service as voucher_service
from rmt.vouchers.lifecycle import VoucherStatus
from tests.factories import CaseFactory, EmployerFactory, UserFactory

MARK = "Geheimtekst"


def summaries() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.summary)))


def test_failed_sign_in_keeps_nothing_of_what_was_typed(auth):
    for typed in (f"{MARK}-Wachtwoord2026!", f"{MARK.lower()}@nergens.nl"):
        auth.login(typed, "iets")
    rows = db.session.execute(sa.select(AuditEntry.action, AuditEntry.summary)
                              .where(AuditEntry.action == "auth.sign_in_failed")).all()
    assert len(rows) >= 2
    assert all(MARK.lower() not in (summary or "").lower() for _, summary in rows)
    assert all(MARK.lower() not in s.lower() for s in summaries())


def test_reference_data_employers_vacancies_and_vouchers_are_audited_by_id():
    admin = UserFactory(role=Role.ADMIN, regions=[])
    liaison = UserFactory(role=Role.LIAISON, regions=["MU"])
    coach = UserFactory(role=Role.COACH, regions=["MU"])
    coordinator = UserFactory(role=Role.COORDINATOR, regions=["MU"])
    sector = db.session.scalars(sa.select(Sector).order_by(Sector.id)).first()
    # employers: employer, vacancy, sector
    registry.create_employer(liaison, {
        "kvk_number": "30123456", "name": f"{MARK} Bakkerij", "sector_id": sector.id,
        "street_address": "Dorpsstraat 1", "postcode": "3811ab", "city": "Amersfoort",
        "region_codes": ["MU"], "sbb_number": ""})
    vacancies.create_vacancy(liaison, EmployerFactory(), {
        "title": f"{MARK} monteur", "sector_id": sector.id, "hours_per_week": 40,
        "region_code": "MU"})
    registry.save_sector(admin, None, {"name": f"{MARK} sector"})
    # praktijkverklaring reference data
    school = pv_service.save_school(admin, None, name=f"{MARK} ROC", brin="99ZZ")
    qualification = pv_service.save_qualification(admin, None, crebo="99999",
                                                  name=f"{MARK} kwalificatie")
    pv_service.save_work_process(admin, qualification, None, code="B1-K1-W1",
                                 name=f"{MARK} werkproces")
    assert school.id
    # vouchers: provider, funding source, budget, request, declaration
    provider = voucher_service.save_provider(admin, None, {"name": f"{MARK} Opleider",
                                                           "kvk_number": "30123457"})
    source = voucher_service.save_funding_source(admin, None, {"name": f"{MARK} fonds"})
    budget = voucher_service.create_budget(
        coordinator, region_code="MU", funding_source_id=source.id, year=date.today().year,
        amount_cents=10_000_00, max_per_voucher_cents=2_000_00)
    case = CaseFactory(region_code="MU", coach=coach, status=CaseState.UITVOERING)
    voucher = voucher_service.request_voucher(
        coach, case, budget_id=budget.id, provider_id=provider.id,
        course_name=f"{MARK} cursus", start_on=date.today() + timedelta(days=14),
        end_on=date.today() + timedelta(days=100), amount_cents=1_000_00,
        motivation="motivatie")
    for target, who in ((VoucherStatus.TOEGEKEND, coordinator), (VoucherStatus.GESTART, coach),
                        (VoucherStatus.AFGEROND, coach), (VoucherStatus.GEDECLAREERD, coordinator)):
        voucher_service.advance(who, voucher, target, note="", declared_amount_cents=None,
                                invoice_number=f"{MARK}-F1" if target == VoucherStatus.GEDECLAREERD
                                else "")
    db.session.flush()
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"employer.create", "vacancy.create", "sector.create", "pv.school_create",
            "pv.qualification_create", "pv.work_process_create", "training_provider.create",
            "funding_source.create", "budget.create", "voucher.request",
            "voucher.gedeclareerd"} <= actions
    leaking = [s for s in summaries() if MARK.lower() in s.lower()]
    assert leaking == []
