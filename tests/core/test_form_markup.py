"""Every id a page's markup points to exists on the page. Django writes
`aria-describedby="<id>_helptext <id>_error"` on an input with help or errors, and a
screen reader reads the help and the errors from those elements: the portal's field
markup (templates/includes/field.html and the pages with their own) must carry the ids."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import CongressFactory, PersonnelPlanFactory

pytestmark = pytest.mark.django_db

POINTING = ("aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage")


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, id)
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self._in_template += 1  # a row template: its ids are __prefix__ copies
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if self._in_template:
            return
        for name in POINTING:
            for ref in (a.get(name) or "").split():
                self.refs.append((tag, name, ref))
        if tag == "label" and a.get("for"):
            self.refs.append((tag, "for", a["for"]))

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1


def dangling(html: str) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(html)
    return [r for r in parser.refs if r[2] not in parser.ids]


@pytest.fixture
def pages(tree, term, congress_a, secretary_a, admin_user):
    plan = PersonnelPlanFactory(congress=congress_a, user=secretary_a)
    CongressFactory(unit=tree.province, term=term)
    return {
        "get": [
            reverse("petitions:case_register"), reverse("conclusions:conclusion_create", args=[tree.province.pk]),
            reverse("workgroups:group_create", args=[tree.province.pk]), reverse("accounts:profile"),
            reverse("accounts:tokens"), reverse("reminders:preferences"), reverse("password_change"),
            reverse("congresses:congress_edit", args=[congress_a.pk]),
            reverse("congresses:congress_subcommittees", args=[congress_a.pk]),
            reverse("personnel:plan_edit", args=[plan.pk]), reverse("personnel:nominee_add", args=[plan.pk]),
            reverse("committees:unit_import"), reverse("dashboards:unit_units", args=[tree.province.pk]),
            reverse("petitions:case_list"), reverse("personnel:plan_list"),
        ],
        "post": [  # refused: every field's errors on the page
            reverse("petitions:case_register"), reverse("conclusions:conclusion_create", args=[tree.province.pk]),
            reverse("workgroups:group_create", args=[tree.province.pk]), reverse("accounts:tokens"),
            reverse("password_change"), reverse("congresses:congress_edit", args=[congress_a.pk]),
            reverse("personnel:plan_edit", args=[plan.pk]), reverse("personnel:nominee_add", args=[plan.pk]),
        ],
    }


def test_no_page_points_to_an_id_it_does_not_have(pages, admin_user, client_for):
    client = client_for(admin_user)
    found = {}
    for method in ("get", "post"):
        for url in pages[method]:
            response = getattr(client, method)(url, {"tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0"}
                                                    if method == "post" else None)
            assert response.status_code in (200, 400), (method, url, response.status_code)
            if refs := dangling(response.content.decode()):
                found[f"{method.upper()} {url}"] = refs
    assert found == {}
