import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from committees.models import Level
from tests.factories import CongressFactory, SecretaryFactory, UnitFactory

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def docx_file(name: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A real .docx built with python-docx."""
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile(name, out.getvalue())


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2025, 4, 10, 9, 0, tzinfo=HCM), tick=False) as traveller:
        yield traveller


@pytest.fixture
def bloc(province, term, frozen):
    """Seed 001: the provincial agencies' bloc with 60 grassroots units below it, each
    with a secretary; the bloc's congress opened."""
    bloc = UnitFactory(code="KCQ", name="Đảng bộ Khối các cơ quan tỉnh", level=Level.UPPER, kind="bloc",
                       parent=province)
    units = [UnitFactory(code=f"KCQ{i:02d}", name=f"Đảng bộ cơ sở {i:02d}", level=Level.GRASSROOTS, parent=bloc)
             for i in range(1, 61)]
    secretaries = [SecretaryFactory(username=f"sec{i:02d}", unit=u) for i, u in enumerate(units, start=1)]
    congress = CongressFactory(unit=bloc, term=term, planned_date=dt.date(2025, 8, 10))
    secretary = SecretaryFactory(username="sec_bloc", full_name="Nguyễn Mạnh Cường", unit=bloc)
    return SimpleNamespace(unit=bloc, units=units, secretaries=secretaries, congress=congress, secretary=secretary)
