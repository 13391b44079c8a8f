"""Hostile input gets a clear refusal, never a server error or a page of unbounded size."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_nul_character_in_the_address_is_a_bad_request(tree, admin_user, client_for):
    """PostgreSQL refuses a NUL in a string: the search and the unit picker, which read
    the query string, answered 500."""
    client = client_for(admin_user)
    for url in (reverse("documents:search"), reverse("workgroups:unit_picker"), reverse("committees:unit_list")):
        assert client.get(url, {"q": "an\x00phu"}).status_code == 400, url
        assert client.get(url, {"q": "an phu"}).status_code == 200, url



def test_an_id_in_superscript_digits_is_not_a_server_error(tree, admin_user, client_for):
    """"²".isdigit() is true and int("²") fails: ids from the query string are checked
    with isdecimal(), which int() accepts."""
    client = client_for(admin_user)
    for url, params in ((reverse("petitions:case_register"), {"unit": "²"}), (reverse("petitions:case_list"), {"q": "#²"}),
                        (reverse("workgroups:unit_picker"), {"q": "an", "under": "²"}),
                        (reverse("briefings:inbox"), {"unit": "²"}), (reverse("briefings:open_proposals"), {"unit": "²"})):
        assert client.get(url, params).status_code == 200, url
