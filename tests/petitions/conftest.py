import pytest

from tests.factories import HandlerFactory

SENDER_NAME = "Nguyễn Văn Tốcáo Bímật"
SENDER_PHONE = "0912 345 678"
SENDER_ADDRESS = "Thôn Bímật, xã An Phú"
SENDER = {"full_name": SENDER_NAME, "contact": SENDER_PHONE, "address": SENDER_ADDRESS}


@pytest.fixture
def handler(province):
    """The province's inspection committee member: handles every unit's petitions."""
    return HandlerFactory(username="handler", full_name="Ủy viên Kiểm tra", unit=province)


@pytest.fixture
def handler_b(commune_b):
    return HandlerFactory(username="handler_b", full_name="Kiểm tra xã Bình Minh", unit=commune_b)
