"""The portal's own error pages (issue 10, point 1): in its layout, in Vietnamese unless the
user chose otherwise, with a way back, and with DEBUG off as in production."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.factories import ViewerFactory

pytestmark = pytest.mark.urls("tests.core.error_urls")


def _vietnamese(response) -> str:
    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Cổng Đại hội" in content  # the portal's layout and name
    assert 'href="/"' in content and "Về trang chủ" in content and "Quay lại trang trước" in content
    return content


def test_debug_is_off_in_the_tests_as_in_production():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_a_missing_page_is_the_portals_404_in_vietnamese_even_for_an_english_browser():
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/no-such-page/")
    assert response.status_code == 404
    content = _vietnamese(response)
    assert "Không tìm thấy trang" in content
    assert "Page not found" not in content and "URLconf" not in content


@pytest.mark.django_db
def test_a_signed_in_users_404_keeps_the_menu(province):
    client = Client()
    client.force_login(ViewerFactory(unit=province), backend="django.contrib.auth.backends.ModelBackend")
    content = _vietnamese(client.get("/units/999999/"))
    assert reverse("committees:unit_list") in content  # the menu of base.html


@pytest.mark.django_db
def test_403_is_the_portals_page_in_vietnamese(province):
    client = Client()
    client.force_login(ViewerFactory(unit=province), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in _vietnamese(response)


@pytest.mark.django_db
def test_400_is_the_portals_page_in_vietnamese():
    response = Client().get("/test-errors/400/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in _vietnamese(response)


@pytest.mark.django_db
def test_500_is_the_portals_page_in_vietnamese():
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    content = _vietnamese(response)
    assert "Đã xảy ra sự cố" in content and "boom" not in content


@pytest.mark.django_db
def test_the_500_page_needs_no_database(django_assert_num_queries):
    # Rendered without a request context: no context processor, no user, no query, so it
    # still shows when the database is what failed.
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Đã xảy ra sự cố" in response.content.decode()


@pytest.mark.django_db
def test_an_english_user_gets_english_error_pages(province):
    user = ViewerFactory(unit=province, language="en")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    content = client.get("/no-such-page/").content.decode()
    assert '<html lang="en">' in content and "Page not found" in content
