"""Fixtures of the conclusion tests: the province of the standard tree with its boards
(seed 004: "các Ban Đảng và Văn phòng Tỉnh ủy"), a member of each of two boards, the
office's secretary who records conclusions, the chair, and the provincial congress with
two subcommittees ("các tiểu ban phục vụ Đại hội Đảng bộ tỉnh")."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conclusions import services
from conclusions.models import BodyKind, MeetingKind
from congresses.services import Person, subcommittee_create
from tests.factories import CongressFactory, SecretaryFactory, UserFactory

BODIES = [
    (BodyKind.ORGANISATION, "Ban Tổ chức Tỉnh ủy"),
    (BodyKind.PROPAGANDA, "Ban Tuyên giáo Tỉnh ủy"),
    (BodyKind.INTERNAL_AFFAIRS, "Ban Nội chính Tỉnh ủy"),
    (BodyKind.INSPECTION, "Ủy ban Kiểm tra Tỉnh ủy"),
    (BodyKind.MASS_MOBILISATION, "Ban Dân vận Tỉnh ủy"),
    (BodyKind.OFFICE, "Văn phòng Tỉnh ủy"),
]


def pdf(name: str = "bao-cao.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


@pytest.fixture
def office(province):
    """The provincial committee's office staff: a secretary grant on the province (keeps its
    conclusions and bodies)."""
    return SecretaryFactory(username="office", full_name="Trần Công Dương", unit=province)


@pytest.fixture
def chair(db):
    return UserFactory(username="chair", full_name="Lê Quang Huy", email="chair@example.vn", role=None)


@pytest.fixture
def bodies(province, office):
    return SimpleNamespace(**{
        kind.value: services.body_create(unit=province, kind=kind, name=name, user=office) for kind, name in BODIES})


@pytest.fixture
def organisation_member(bodies, office):
    user = UserFactory(username="org_member", full_name="Nguyễn Hữu Lậm", email="org@example.vn", role=None)
    services.body_member_add(body=bodies.organisation, person=user, user=office)
    return user


@pytest.fixture
def propaganda_member(bodies, office):
    user = UserFactory(username="prop_member", full_name="Nguyễn Văn Tuyên", email="prop@example.vn", role=None)
    services.body_member_add(body=bodies.propaganda, person=user, user=office)
    return user


@pytest.fixture
def province_congress(term, province):
    return CongressFactory(unit=province, term=term)


@pytest.fixture
def subcommittees(province_congress, office):
    def make(kind: str):
        return subcommittee_create(congress=province_congress, user=office, kind=kind, decision_number="12-QĐ/TU",
                                   decision_date=dt.date(2025, 3, 2), head=Person("Lê Quang Huy", "Phó Bí thư"))
    return SimpleNamespace(documents=make("documents"), organisation=make("organisation"))


@pytest.fixture
def conclusion(province, bodies, office, chair):
    """A briefing of quarter II/2025 on 07/07/2025 with a task for each of three bodies."""
    return services.conclusion_record(
        unit=province, kind=MeetingKind.BRIEFING, held_on=dt.date(2025, 7, 7), year=2025, quarter=2,
        chair=chair, text="Kết luận giao ban quý II.", user=office, tasks=[
            services.TaskSpec(what="Tham mưu đề án nhân sự", body=bodies.organisation, next_quarter=True),
            services.TaskSpec(what="Tuyên truyền đại hội", body=bodies.propaganda, due_date=dt.date(2025, 8, 31)),
            services.TaskSpec(what="Tổng hợp báo cáo", body=bodies.office, next_quarter=True),
        ])
