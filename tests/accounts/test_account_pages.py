"""The account basics (issue 10, point 7): the profile page, password change and reset by
email in the portal's layout, and the menu (the dashboard, the current page marked)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, AdminFactory, SecretaryFactory, ViewerFactory


@pytest.mark.django_db
def test_the_profile_links_to_password_notifications_and_tokens(client_for, commune_a):
    user = SecretaryFactory(unit=commune_a)
    content = client_for(user).get(reverse("accounts:profile")).content.decode()
    for name in ("password_change", "reminders:preferences", "accounts:tokens"):
        assert f'href="{reverse(name)}"' in content
    assert "Committee secretary" in content and commune_a.name in content


@pytest.mark.django_db
def test_the_profile_needs_a_login(client_for):
    response = client_for().get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_menu_has_the_dashboard_and_marks_the_current_page(client_for, province):
    user = ViewerFactory(unit=province)
    client = client_for(user)
    dashboard = reverse("dashboards:unit_dashboard", args=[province.pk])
    units = reverse("committees:unit_list")
    content = client.get(units).content.decode()
    nav = content.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    assert f'<a href="{dashboard}">Dashboard</a>' in nav
    assert f'<a href="{units}" aria-current="page">Units</a>' in nav
    assert nav.count("aria-current") == 1
    # The API tokens moved to the profile; the user's name leads there.
    assert reverse("accounts:tokens") not in content
    profile = reverse("accounts:profile")
    assert f'href="{profile}"' in content
    assert 'aria-current="page"' in client.get(profile).content.decode().split("</header>", 1)[0]


@pytest.mark.django_db
def test_a_user_changes_their_password(client_for, province):
    user = ViewerFactory(unit=province)
    client = client_for(user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Change my password" in page and 'class="topbar"' in page  # the portal's layout
    bad = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "x"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    new = "A-much-better-passphrase-42"
    done = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_by_email(client_for, province):
    user = ViewerFactory(unit=province, email="quen@example.org", language="en")
    client = client_for()
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).content.decode()
    sent = client.post(reverse("password_reset"), {"email": "quen@example.org"})
    assert sent.status_code == 302 and sent["Location"] == reverse("password_reset_done")
    (email,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/account/password/reset/[^\s\"]+/)", email.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "Another-solid-passphrase-17"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(new)
    # Used once: the same link is no longer valid.
    assert "no longer valid" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_an_unknown_address_gets_the_same_answer_and_no_email(client_for):
    response = client_for().post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_admin_index_names_every_app_in_vietnamese(client):
    client.force_login(AdminFactory(is_superuser=True), backend="django.contrib.auth.backends.ModelBackend")
    content = client.get(reverse("admin:index")).content.decode()
    for name in ("Tài khoản và vai trò", "Tổ chức đảng", "Bảo mật đăng nhập", "Cổng Đại hội"):
        assert name in content
    for english in (">Accounts<", ">Axes<", ">Committees<", "Access attempts"):
        assert english not in content
