"""The home page sends each user where their work is."""

from django.urls import reverse

from tests.factories import ViewerFactory


def test_secretary_lands_on_their_unit(client_for, secretary_a, term):
    response = client_for(secretary_a).get(reverse("home"))
    assert response["Location"] == reverse("congresses:my_unit")


def test_viewer_lands_on_the_top_of_their_scope(client_for, viewer, province):
    response = client_for(viewer).get(reverse("home"))
    assert response["Location"] == reverse("committees:unit_detail", args=[province.pk])


def test_admin_without_unit_lands_on_the_unit_list(client_for, admin_user, tree):
    response = client_for(admin_user).get(reverse("home"), follow=True)
    assert response.redirect_chain == [(reverse("committees:unit_list"), 302)]
    assert response.status_code == 200


def test_user_without_unit_is_told_to_ask_for_one(client_for, db):
    response = client_for(ViewerFactory(unit=None)).get(reverse("home"))
    assert response.status_code == 200
    assert "No unit assigned" in response.content.decode()


def test_anonymous_goes_to_login(client_for):
    response = client_for().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
