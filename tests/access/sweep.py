"""The authorization sweep (issue 8, point 2): every URL pattern of the project, filled with
objects of a unit the requester may not see, requested as every kind of outsider, with a
checksum of every table around each request.

- `patterns()` walks `get_resolver()` (admin and `include()`d confs too), so a view added
  later is swept without editing anything here;
- `build_world()` makes two sibling units A and B with their objects; `fill()` gives each
  URL parameter an object of B, chosen by the literal path before the parameter (`RULES`),
  and a pattern it cannot fill is a finding unless `PUBLIC` names it with a reason;
- `run()` requests each URL with GET and POST as anonymous, a viewer of A, the secretary of
  A and a Bearer token of A's secretary, and returns what it covered and what it found.

tests/access/test_authorization.py runs it on the project's URLs; its meta-tests run it on
tests/access/unscoped_urls.py and unfillable_urls.py to prove that it bites.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable
from urllib.parse import urlparse

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.forms.models import model_to_dict
from django.http import HttpResponseBase
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from accounts import services as account_services
from accounts.services import api_token_create
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from briefings import services as briefing_services
from briefings import snapshots as briefing_snapshots
from briefings.quarters import Quarter
from committees.models import Level
from committees.services import import_job_create
from conclusions import services as conclusion_services
from conclusions.models import MeetingKind
from congresses.forms import CongressForm
from congresses.models import Congress, MilestoneStatus
from congresses.services import Person, milestone_update, subcommittee_create
from documents import services as document_services
from documents.models import Document, DocumentKind
from reminders.models import Channel, Delivery, Kind, NotificationPreference, ReminderPolicy, ReminderRun
from reminders.services import preference_update, reminders_scan
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CongressFactory,
    SecretaryFactory,
    TermFactory,
    UnitFactory,
    UserFactory,
    ViewerFactory,
)
from personnel import checks as personnel_checks
from petitions import services as petition_services
from personnel import services as personnel_services
from workgroups import services as workgroup_services

# --- What is not swept, and why ---------------------------------------------------------------

# Patterns the sweep does not request, by URL name. Each is reachable without signing in by
# design and takes no object; keep this short.
PUBLIC: dict[str, str] = {
    "healthz": "the load balancer's probe: no login by design, answers ok/error only",
    "login": "the sign-in form itself",
    "logout": "signs out: would end the sweep's own sessions; touches no data",
    "set_language": "stores the language in a cookie and, signed in, on the user's own row; reads no data",
    "password_reset_confirm": "the link of a password reset email: public by design, its uidb64 and token are "
                              "the credential (checked by Django's view); shows no unit data",
    "javascript-catalog": "the translations for static JavaScript; no data",
    "admin:login": "the admin's sign-in form itself",
}

# What legitimately moves on a read, so the checksum leaves it out. Everything else is in.
EXEMPT_TABLES: dict[str, str] = {
    "sessions.session": "force_login and every signed-in request may save the session",
    "axes.accessattempt": "django-axes records sign-in attempts (off in tests; kept out if enabled)",
    "axes.accesslog": "django-axes logs sign-ins and sign-outs",
    "axes.accessfailurelog": "django-axes logs failed sign-ins",
    "axes.accessattemptexpiration": "django-axes' expiry of an attempt",
}
EXEMPT_COLUMNS: dict[tuple[str, str], str] = {
    ("accounts.user", "last_login"): "set by signing in (force_login), not by the view",
    ("accounts.apitoken", "last_used_at"): "a Bearer request records its token's last use (accounts.tokens)",
}
# No model above has a simple_history table; one added later belongs in EXEMPT_TABLES too.

# Text of B that must never appear on a page of a requester outside B: names and codes of B's
# units, and its secretary's name. ASCII, so no escaping (HTML, JSON \\u) can hide it.
B_MARK = "OUTSIDE-B-7Q"
B_CODE = "OUTB7Q"

# The name under which the sweep's coverage is recorded (record_property) for the summary.
PROPERTY = "authorization_sweep"
IDENTITIES = ("anonymous", "viewer_a", "secretary_a", "token_a")
# Identities without a session: a 405 to them says nothing about an object, see `_verdict`.
SESSIONLESS = {"anonymous", "token_a"}
REDIRECTS = {301, 302, 303, 307, 308}


# --- The patterns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    context: str  # the route up to this parameter, earlier parameters written <name>
    regex: str | None = None  # for a regex pattern's group: what the value must match
    converter: Any = None  # for a route pattern: its converter (to_url)


@dataclass
class Pattern:
    route: str  # as ResolverMatch.route spells it
    name: str  # namespaced ("congresses:congress_edit"); "" when the pattern has none
    tokens: list  # str (literal) or Param
    problem: str = ""  # why it cannot be turned into a URL at all

    @property
    def params(self) -> list[Param]:
        return [t for t in self.tokens if isinstance(t, Param)]

    @property
    def label(self) -> str:
        return f"{self.route} ({self.name or 'unnamed'})"


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_GROUP_NAME = re.compile(r"^\?P<(?P<name>\w+)>")


def _join_route(route1: str, route2: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route, so routes compare with resolve().
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def _context(tokens: list) -> str:
    return "".join(t if isinstance(t, str) else f"<{t.name}>" for t in tokens)


def _route_tokens(pattern, before: list) -> tuple[list, str]:
    text, tokens, pos = str(pattern), [], 0
    for match in _ROUTE_PARAM.finditer(text):
        if match.start() > pos:
            tokens.append(text[pos:match.start()])
        name = match["parameter"]
        tokens.append(Param(name=name, context=_context(before + tokens), converter=pattern.converters[name]))
        pos = match.end()
    if pos < len(text):
        tokens.append(text[pos:])
    return tokens, ""


def _regex_tokens(text: str, before: list) -> tuple[list, str]:
    """Literals and top-level groups of a regex pattern such as `^([^/]+)/history/([^/]+)/$`;
    unnamed groups are named _1, _2. Returns (tokens, problem)."""
    text = text.removeprefix("^").removesuffix("$")
    tokens, literal, i, unnamed = [], "", 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            literal += text[i + 1]
            i += 2
        elif char == "(":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "(":
                    depth += 1
                elif text[j] == ")":
                    depth -= 1
                j += 1
            body = text[i + 1:j - 1]
            if literal:
                tokens.append(literal)
                literal = ""
            named = _REGEX_GROUP_NAME.match(body)
            if named:
                name, body = named["name"], body[named.end():]
            elif body.startswith("?"):
                return tokens, f"a regex group it does not understand: ({body})"
            else:
                unnamed += 1
                name = f"_{unnamed}"
            tokens.append(Param(name=name, context=_context(before + tokens), regex=body))
            i = j
        elif char in ".*+?[]{}|^$":
            return tokens, f"a regex outside a group it does not understand: {text!r}"
        else:
            literal += char
            i += 1
    if literal:
        tokens.append(literal)
    return tokens, ""


def patterns(urlconf: str | None = None) -> list[Pattern]:
    """Every URL pattern of `urlconf` (the project's by default), in resolution order."""
    found: list[Pattern] = []

    def walk(resolver: URLResolver, route: str, namespaces: tuple, tokens: list, problem: str) -> None:
        for entry in resolver.url_patterns:
            text = str(entry.pattern)
            entry_tokens, entry_problem = (
                _route_tokens(entry.pattern, tokens) if isinstance(entry.pattern, RoutePattern)
                else _regex_tokens(text, tokens)
            )
            full_route = _join_route(route, text)
            if isinstance(entry, URLResolver):
                inner = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry, full_route, inner, tokens + entry_tokens, problem or entry_problem)
            elif isinstance(entry, URLPattern):
                name = ":".join((*namespaces, entry.name)) if entry.name else ""
                found.append(Pattern(full_route, name, tokens + entry_tokens, problem or entry_problem))

    walk(get_resolver(urlconf), "", (), [], "")
    return found


# --- The world: units A and B and everything the URLs take ------------------------------------


def build_world() -> SimpleNamespace:
    """Two sibling units under a province, each with a cell and a congress; B's objects are
    the ones every URL parameter is filled with. Built through factories and services only."""
    w = SimpleNamespace()
    w.term = TermFactory(start_year=2025)
    w.province = UnitFactory(code="SWT", name="Tỉnh ủy Quét", level=Level.PROVINCE, kind="province")
    w.unit_a = UnitFactory(code="SWA", name="Đảng bộ xã An Phú", level=Level.UPPER, kind="commune", parent=w.province)
    w.cell_a = UnitFactory(code="SWA1", name="Chi bộ An 1", level=Level.GRASSROOTS, kind="cell", parent=w.unit_a)
    w.unit_b = UnitFactory(code=B_CODE, name=f"Đảng bộ {B_MARK}", level=Level.UPPER, kind="commune", parent=w.province)
    w.cell_b = UnitFactory(code=f"{B_CODE}1", name=f"Chi bộ {B_MARK} 1", level=Level.GRASSROOTS, kind="cell",
                           parent=w.unit_b)
    planned = dt.date(2025, 7, 15)
    w.congress_a = CongressFactory(unit=w.unit_a, term=w.term, planned_date=planned)
    w.congress_b = CongressFactory(unit=w.unit_b, term=w.term, planned_date=planned)

    w.viewer_a = ViewerFactory(username="sweep_viewer_a", unit=w.unit_a)
    w.secretary_a = SecretaryFactory(username="sweep_secretary_a", unit=w.unit_a)
    w.secretary_b = SecretaryFactory(username="sweep_secretary_b", full_name=f"Bí thư {B_MARK}", unit=w.unit_b)
    w.admin = AdminFactory(username="sweep_admin")
    _token, w.key_a = api_token_create(user=w.secretary_a, name="script of A")
    w.token_b, _key = api_token_create(user=w.secretary_b, name="script of B")
    # B's secretary's authenticator (the admin's "TOTP devices"; accounts/otp.py).
    w.totp_b = account_services.otp_device_pending(user=w.secretary_b)

    # An evidence file on a milestone of B, served only through the scope check.
    milestones = list(w.congress_b.milestones.select_related("step").order_by("step__order"))
    w.milestone_b = milestone_update(
        milestone=milestones[0], user=w.secretary_b, status=MilestoneStatus.DONE, done_on=dt.date(2025, 5, 2),
        evidence_number="01-KH/ĐU", evidence_file=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 evidence of B"),
        note="",
    )
    # Notifications: the daily scan on the day after a milestone of B fell due writes an
    # in-app notification (and an email) to each secretary with an overdue milestone.
    due = next(m.due_date for m in milestones[1:] if m.due_date)
    reminders_scan(kind=Kind.DAILY, day=due + dt.timedelta(days=1))
    w.notification_b = Delivery.objects.filter(recipient=w.secretary_b, channel=Channel.INAPP).first()
    w.preference_b = preference_update(user=w.secretary_b, data={"email_enabled": False})
    w.import_job = import_job_create(
        upload=SimpleUploadedFile("units.csv", b"code,parent_code,name,level,kind\n"), dry_run=True, user=w.admin,
    )
    # A congress document of B with a version, sent for comments to B's cell, answered
    # with a file, closed with a synthesis; a review pending at B's superior.
    w.congress_document_b = document_services.document_create(
        congress=w.congress_b, kind=DocumentKind.POLITICAL_REPORT, title=f"Báo cáo {B_MARK}", user=w.secretary_b)
    w.version_b = document_services.version_upload(
        document=w.congress_document_b, upload=SimpleUploadedFile("bctc.pdf", b"%PDF-1.4 report of B"),
        user=w.secretary_b)
    w.round_b = document_services.round_send(version=w.version_b, deadline=dt.date.today() + dt.timedelta(days=30),
                                             subordinates=True, user=w.secretary_b)
    w.secretary_cell_b = SecretaryFactory(username="sweep_secretary_cell_b", unit=w.cell_b)
    w.request_b = document_services.request_answer(
        request=w.round_b.recipients.get(), user=w.secretary_cell_b, text=f"Góp ý {B_MARK}",
        upload=SimpleUploadedFile("gop-y.pdf", b"%PDF-1.4 comments of B's cell"))
    document_services.round_close(round=w.round_b, user=w.secretary_b, synthesis_note=f"Tổng hợp {B_MARK}",
                                  synthesis_file=SimpleUploadedFile("tong-hop.pdf", b"%PDF-1.4 synthesis of B"))
    document_services.review_submit(document=w.congress_document_b, version=w.version_b, user=w.secretary_b)
    w.document = Document.objects.create(number="35-CT/TW", issued_on=dt.date(2019, 5, 30), title="Chỉ thị 35")
    w.group = Group.objects.create(name="sweep")
    # A working group set up by B, its member following B's cell, a follow-up entry with an
    # attachment: the objects of the working-group URLs.
    w.member_user_b = UserFactory(username="sweep_member_b", full_name=f"Tổ viên {B_MARK}", role=None)
    w.workgroup_b = workgroup_services.group_create(
        unit=w.unit_b, term=w.term, number=1, name=f"Tổ công tác {B_MARK}", decision_number="01-QĐ/ĐU",
        decision_date=dt.date(2025, 3, 1), user=w.secretary_b, sub_teams=["Văn kiện"],
        decision_file=SimpleUploadedFile("quyet-dinh.pdf", b"%PDF-1.4 decision of B"),
    )
    w.member_b = workgroup_services.member_add(group=w.workgroup_b, person=w.member_user_b, user=w.secretary_b)
    w.other_member_b = workgroup_services.member_add(group=w.workgroup_b, full_name=f"Người {B_MARK}",
                                                     user=w.secretary_b)
    w.assignment_b = workgroup_services.assignment_add(member=w.member_b, unit=w.cell_b, user=w.secretary_b,
                                                       on=dt.date(2025, 3, 1))
    w.follow_up_b = workgroup_services.follow_up_add(
        member=w.member_b, unit=w.cell_b, kind="visit", happened_on=dt.date(2025, 3, 2), text=f"Thăm {B_MARK}",
        user=w.member_user_b, files=[SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes of B")],
    )
    w.attachment_b = w.follow_up_b.attachments.get()
    # A subcommittee of B's congress (its page, its change and removal).
    w.subcommittee_b = subcommittee_create(
        congress=w.congress_b, user=w.secretary_b, kind="documents", decision_number="02-QĐ/ĐU",
        decision_date=dt.date(2025, 5, 2), head=Person(f"Trưởng ban {B_MARK}", "Bí thư"),
    )
    # B's personnel plan with a nominee whose name carries B's mark, submitted (a
    # transition) and read once (the read log): the objects of the personnel URLs.
    w.plan_b = personnel_services.plan_create(congress=w.congress_b, user=w.secretary_b, data={
        "executive_seats": 1})
    w.nominee_b = personnel_services.nominee_add(plan=w.plan_b, user=w.secretary_b, data={
        "full_name": f"Đề cử {B_MARK}", "date_of_birth": dt.date(1980, 1, 1), "gender": "female",
        "ethnicity": "Kinh", "bodies": ["executive", "secretary"]})
    for code in ("young", "new", "ages"):
        if code in {c.code for c in personnel_checks.run(w.plan_b) if not c.ok}:
            personnel_services.check_acknowledge(plan=w.plan_b, user=w.secretary_b, code=code, reason="sweep")
    w.plan_b = personnel_services.plan_submit(plan=w.plan_b, user=w.secretary_b)
    personnel_services.plan_read_record(plan=w.plan_b, user=w.secretary_b, page="detail")
    # A named petition about B's nominee, registered by B's petition handler with a letter
    # attached, accepted, verifying and concluded with a file: the objects of the petition
    # URLs. Nobody outside B's handlers (A's secretary included) may open it.
    petition_services.deadline_rules_update(user=w.admin, rows={"denunciation": (7, 30)})
    w.handler_b = UserFactory(username="sweep_handler_b", full_name=f"Kiểm tra {B_MARK}", role="petitions",
                              unit=w.unit_b)
    w.petition_b = petition_services.petition_register(
        user=w.handler_b, unit=w.unit_b, received_on=dt.date.today(), channel="post", kind="denunciation",
        summary=f"Đơn {B_MARK}", anonymous=False, sender={"full_name": f"Người gửi {B_MARK}", "contact": "0900"},
        nominee=w.nominee_b, handler=w.handler_b,
        files=[SimpleUploadedFile("don.pdf", b"%PDF-1.4 letter of B")])
    w.petition_attachment_b = w.petition_b.attachments.get()
    w.petition_b = petition_services.petition_classify(petition=w.petition_b, user=w.handler_b, decision="accepted")
    w.petition_b = petition_services.petition_verify(petition=w.petition_b, user=w.handler_b)
    w.open_petition_b = petition_services.petition_register(
        user=w.handler_b, unit=w.unit_b, received_on=dt.date.today(), channel="email", kind="complaint",
        summary=f"Khiếu nại {B_MARK}")
    w.petition_b = petition_services.petition_conclude(
        petition=w.petition_b, user=w.handler_b, conclusion=f"Kết luận {B_MARK}",
        conclusion_file=SimpleUploadedFile("ket-luan.pdf", b"%PDF-1.4 conclusion of B"))
    # B's office records a conclusion: a task for B's board (a member reports with a file
    # and closes it with evidence), a task for B's cell, carried over.
    w.body_b = conclusion_services.body_create(unit=w.unit_b, kind="organisation", name=f"Ban Tổ chức {B_MARK}",
                                               user=w.secretary_b)
    w.body_member_user_b = UserFactory(username="sweep_body_member_b", full_name=f"Ủy viên {B_MARK}", role=None)
    w.body_member_b = conclusion_services.body_member_add(body=w.body_b, person=w.body_member_user_b,
                                                          user=w.secretary_b)
    w.conclusion_b = conclusion_services.conclusion_record(
        unit=w.unit_b, kind=MeetingKind.BRIEFING, held_on=dt.date(2025, 7, 7), year=2025, quarter=2,
        chair=w.secretary_b, text=f"Kết luận {B_MARK}", user=w.secretary_b, tasks=[
            conclusion_services.TaskSpec(what=f"Nhiệm vụ {B_MARK}", body=w.body_b, next_quarter=True),
            conclusion_services.TaskSpec(what=f"Nhiệm vụ chi bộ {B_MARK}", unit=w.cell_b, next_quarter=True)])
    w.task_b = w.conclusion_b.tasks.get(body=w.body_b)
    w.task_report_b = conclusion_services.task_report(
        task=w.task_b, text=f"Báo cáo {B_MARK}", user=w.body_member_user_b,
        evidence=SimpleUploadedFile("tien-do.pdf", b"%PDF-1.4 progress of B"))
    conclusion_services.task_close(task=w.task_b, text=f"Đã xong {B_MARK}", user=w.body_member_user_b,
                                   evidence=SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.4 evidence of B"))
    conclusion_services.task_carry_over(task=w.conclusion_b.tasks.get(unit=w.cell_b), reason="sweep",
                                        user=w.secretary_b)
    # B's quarterly report with a difficulty and a proposal, submitted: the objects of the
    # briefing URLs (its superior, the province, answers; A's people may not).
    w.report_b = briefing_services.report_open(unit=w.unit_b, quarter=Quarter.of(dt.date.today()), user=w.secretary_b)
    w.difficulty_b = briefing_services.difficulty_add(report=w.report_b, user=w.secretary_b, theme="facilities",
                                                      text=f"Khó khăn {B_MARK}")
    w.proposal_b = briefing_services.proposal_add(report=w.report_b, user=w.secretary_b, theme="personnel",
                                                  text=f"Kiến nghị {B_MARK}")
    w.report_b = briefing_services.report_submit(report=w.report_b, user=w.secretary_b)
    briefing_snapshots.take(Quarter.of(dt.date.today()).previous)  # the admin's snapshot pages
    axes = {"username": w.secretary_b.username, "ip_address": "10.0.0.2", "user_agent": "sweep",
            "http_accept": "*/*", "path_info": "/login/"}
    access_attempt = AccessAttempt.objects.create(**axes, get_data="", post_data="", failures_since_start=1)

    # The object of B each model's admin pages are filled with (the first row otherwise).
    w.of_b = {
        type(obj): obj for obj in (
            w.unit_b, w.congress_b, w.milestone_b, w.secretary_b, w.token_b, w.notification_b, w.preference_b,
            w.congress_document_b, w.round_b,
            w.workgroup_b, w.member_b, w.plan_b, w.assignment_b, w.follow_up_b, w.attachment_b,
            w.workgroup_b.sub_teams.get(), w.workgroup_b.group_units.get(), w.subcommittee_b, w.petition_b,
            w.workgroup_b.sub_teams.get(), w.workgroup_b.group_units.get(), w.subcommittee_b,
            w.report_b, w.proposal_b,
            access_attempt, AccessLog.objects.create(**axes), AccessFailureLog.objects.create(**axes),
        )
    }
    w.markers = (B_MARK, B_CODE, w.secretary_b.username)
    assert w.notification_b is not None and NotificationPreference.objects.filter(user=w.secretary_b).exists()
    assert ReminderPolicy.objects.exists() and ReminderRun.objects.exists()
    return w


# --- Filling the parameters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A parameter whose context (the route before it) matches `context`, and whose name
    matches `name`, is filled by `fill(world, match)` -> (value, is an object of B?)."""

    context: str
    name: str
    fill: Callable[[SimpleNamespace, re.Match], tuple[Any, bool]]
    what: str


def _admin_model(match: re.Match) -> type[models.Model] | None:
    try:
        model = apps.get_model(match["app"], match["model"])
    except LookupError:
        return None
    return model if model in admin.site._registry else None


def _object_of_b(world: SimpleNamespace, model: type[models.Model] | None):
    if model is None:
        return None
    return world.of_b.get(model) or model._default_manager.order_by("pk").first()


def _admin_object(world, match):
    obj = _object_of_b(world, _admin_model(match))
    return (None if obj is None else obj.pk), True


def _admin_history(world, match):
    obj = _object_of_b(world, _admin_model(match))
    record = obj.history.order_by("history_id").first() if obj is not None and hasattr(obj, "history") else None
    return (None if record is None else record.history_id), True


def _first_admin_app(world, match):
    return sorted({model._meta.app_label for model in admin.site._registry})[0], False


# First match wins: the more specific context comes first (units/import/ before units/).
RULES: list[Rule] = [
    Rule(r"^admin/r/$", r".*", lambda w, m: (ContentType.objects.get_for_model(w.unit_b).pk, False),
         "the content type of a unit"),
    Rule(r"^admin/r/<[^>]+>/$", r".*", lambda w, m: (w.unit_b.pk, True), "B's unit"),
    Rule(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<[^>]+>/history/$", r".*", _admin_history,
         "a history record of that model's object of B"),
    Rule(r"^admin/(?P<app>\w+)/(?P<model>\w+)/$", r".*", _admin_object, "that model's object of B (or any)"),
    Rule(r"^admin/$", r"^app_label$", _first_admin_app, "an app of the admin"),
    Rule(r"^admin/$", r"^url$", lambda w, m: (f"committees/unit/{w.unit_b.pk}/change", True),
         "a path to B's unit without its slash (the admin's catch-all)"),
    Rule(r"(?:^|/)units/import/$", r".*", lambda w, m: (w.import_job.pk, True), "an import job (admins only)"),
    Rule(r"(?:^|/)petitions/cases/$", r".*", lambda w, m: (w.petition_b.pk, True),
         "a named petition about B's nominee, concluded with a file"),
    Rule(r"(?:^|/)petitions/attachments/$", r".*", lambda w, m: (w.petition_attachment_b.pk, True),
         "the letter attached to B's petition"),
    Rule(r"(?:^|/)units/$", r".*", lambda w, m: (w.unit_b.pk, True), "B's unit"),
    Rule(r"(?:^|/)congresses/$", r".*", lambda w, m: (w.congress_b.pk, True), "B's congress"),
    Rule(r"(?:^|/)milestones/$", r".*", lambda w, m: (w.milestone_b.pk, True), "B's milestone with evidence"),
    Rule(r"(?:^|/)notifications/$", r".*", lambda w, m: (w.notification_b.pk, True),
         "a notification of B's secretary"),
    Rule(r"(?:^|/)tokens/$", r".*", lambda w, m: (w.token_b.pk, True), "a token of B's secretary"),
    Rule(r"(?:^|/)working-groups/$", r".*", lambda w, m: (w.workgroup_b.pk, True), "a working group set up by B"),
    Rule(r"(?:^|/)group-members/$", r".*", lambda w, m: (w.member_b.pk, True), "a member of B's working group"),
    Rule(r"(?:^|/)assignments/$", r".*", lambda w, m: (w.assignment_b.pk, True),
         "an assignment of B's working group to B's cell"),
    Rule(r"(?:^|/)personnel/plans/$", r".*", lambda w, m: (w.plan_b.pk, True), "B's personnel plan (submitted)"),
    Rule(r"(?:^|/)personnel/nominees/$", r".*", lambda w, m: (w.nominee_b.pk, True), "a nominee of B's plan"),
    Rule(r"(?:^|/)follow-up-attachments/$", r".*", lambda w, m: (w.attachment_b.pk, True),
         "an attachment of a follow-up entry of B's cell"),
    Rule(r"(?:^|/)subcommittees/$", r".*", lambda w, m: (w.subcommittee_b.pk, True),
         "a subcommittee of B's congress"),
    Rule(r"(?:^|/)congress-documents/$", r".*", lambda w, m: (w.congress_document_b.pk, True),
         "B's political report, with a version, a closed comment round and a pending review"),
    Rule(r"(?:^|/)document-versions/$", r".*", lambda w, m: (w.version_b.pk, True), "a version of B's document"),
    Rule(r"(?:^|/)comment-rounds/$", r".*", lambda w, m: (w.round_b.pk, True),
         "B's comment round to its cell, with its synthesis file"),
    Rule(r"(?:^|/)comment-requests/$", r".*", lambda w, m: (w.request_b.pk, True),
         "the comment request of B's cell, answered with a file"),
    Rule(r"(?:^|/)bodies/$", r".*", lambda w, m: (w.body_b.pk, True), "B's organisation board, with a member"),
    Rule(r"(?:^|/)body-members/$", r".*", lambda w, m: (w.body_member_b.pk, True), "the member of B's board"),
    Rule(r"(?:^|/)conclusions/$", r".*", lambda w, m: (w.conclusion_b.pk, True),
         "B's briefing conclusion with a closed and a carried-over task"),
    Rule(r"(?:^|/)tasks/$", r".*", lambda w, m: (w.task_b.pk, True),
         "the task of B's board, reported with a file and closed with evidence"),
    Rule(r"(?:^|/)task-reports/$", r".*", lambda w, m: (w.task_report_b.pk, True),
         "the progress report of B's board, with a file"),
    Rule(r"(?:^|/)quarterly-reports/$", r".*", lambda w, m: (w.report_b.pk, True),
         "B's quarterly report, submitted, with a difficulty and a proposal"),
    Rule(r"(?:^|/)difficulties/$", r".*", lambda w, m: (w.difficulty_b.pk, True), "a difficulty of B's report"),
    Rule(r"(?:^|/)proposals/$", r".*", lambda w, m: (w.proposal_b.pk, True), "a proposal of B's report"),
]


@dataclass
class Filled:
    pattern: Pattern
    url: str
    values: dict[str, Any]
    of_b: bool  # some parameter names an object of B


def fill(pattern: Pattern, world: SimpleNamespace) -> Filled | str:
    """The URL of `pattern` with every parameter filled, or why it cannot be."""
    if pattern.problem:
        return pattern.problem
    parts, values, of_b = [], {}, False
    for token in pattern.tokens:
        if isinstance(token, str):
            parts.append(token)
            continue
        for rule in RULES:
            match = re.search(rule.context, token.context)
            if match and re.search(rule.name, token.name):
                value, is_b = rule.fill(world, match)
                break
        else:
            return f"no rule fills <{token.name}> after {token.context!r}"
        if value is None:
            return f"<{token.name}> after {token.context!r}: no object for {rule.what}"
        text = str(token.converter.to_url(value) if token.converter is not None else value)
        if token.regex is not None and not re.fullmatch(token.regex, text):
            return f"<{token.name}> = {text!r} does not match ({token.regex})"
        parts.append(text)
        values[token.name] = value
        of_b = of_b or is_b
    url = "/" + "".join(parts)
    try:
        match = resolve(url)
    except Resolver404:
        return f"{url} does not resolve"
    if match.route != pattern.route:
        return f"{url} resolves to another pattern, {match.route}"
    return Filled(pattern, url, values, of_b)


# --- POST payloads ------------------------------------------------------------------------------


def _congress_form(world, filled):
    form = CongressForm(instance=Congress.objects.get(pk=filled.values["pk"]))
    data = {name: _form_value(form[name].value()) for name in form.fields}
    data["note"] = "written by the authorization sweep"
    return data


def _milestone_form(world, filled):
    prefix = f"m{filled.values['pk']}"
    return {f"{prefix}-status": "done", f"{prefix}-done_on": "2025-06-01", f"{prefix}-evidence_number": "SWEEP",
            f"{prefix}-note": "written by the authorization sweep"}


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# A payload that the view's form accepts, so that a missing scope check would really write.
PAYLOADS: dict[str, Callable[[SimpleNamespace, Filled], dict]] = {
    "congresses:congress_edit": _congress_form,
    "congresses:milestone_update": _milestone_form,
    # B's cell as a pilot: it has no congress, so a leak would open one (and mark it).
    "congresses:unit_pilots": lambda w, f: {"pilots": [str(w.cell_b.pk)]},
    "accounts:tokens": lambda w, f: {"name": "sweep", "expires_in_days": "30", "password": PASSWORD},
    "reminders:preferences": lambda w, f: {"email_enabled": "on", "inapp_enabled": "on", "overdue": "on"},
    "workgroups:group_create": lambda w, f: {
        "number": "9", "name": "sweep", "decision_number": "9-QĐ", "decision_date": "01/03/2025",
        "units": [w.cell_b.pk]},
    "workgroups:sub_team_add": lambda w, f: {"name": "sweep"},
    "workgroups:member_add": lambda w, f: {"full_name": "sweep", "role": "member"},
    "workgroups:assignment_add": lambda w, f: {"member": w.other_member_b.pk, "units": [w.cell_b.pk]},
    "workgroups:assignment_move": lambda w, f: {"to_member": w.other_member_b.pk},
    "workgroups:assignment_import": lambda w, f: {
        "file": SimpleUploadedFile("a.csv", f"member,unit_code\nNgười {B_MARK},{B_CODE}1\n".encode())},
    "workgroups:group_dissolve": lambda w, f: {"decision_number": "sweep", "dissolved_on": "01/04/2025"},
    "workgroups:follow_up_log": lambda w, f: {"kind": "visit", "happened_on": "02/03/2025", "text": "sweep"},
    # Congress documents: each form valid, so a leak would write.
    "documents:congress_documents": lambda w, f: {"kind": "other", "title": "sweep"},
    "documents:version_add": lambda w, f: {"file": SimpleUploadedFile("v.pdf", b"%PDF-1.4 sweep")},
    "documents:step_update": lambda w, f: {
        "step": w.congress_document_b.congress.term.drafting_steps.order_by("order").first().pk, "action": "done"},
    "documents:review_decide": lambda w, f: {"decision": "approve"},
    "documents:round_create": lambda w, f: {"subordinates": "on", "deadline": "31/12/2030"},
    "documents:round_public": lambda w, f: {"count": "3", "source": "sweep"},
    "documents:round_close": lambda w, f: {"synthesis_note": "sweep"},
    "documents:request_answer": lambda w, f: {"text": "sweep"},
    "petitions:case_register": lambda w, f: {
        "received_on": dt.date.today().isoformat(), "channel": "post", "kind": "complaint", "unit": w.unit_b.pk,
        "summary": "sweep", "anonymous": "on"},
    "petitions:case_classify": lambda w, f: {"decision": "filed"},
    "petitions:case_verify": lambda w, f: {"note": "sweep"},
    "petitions:case_conclude": lambda w, f: {"conclusion": "sweep"},
    "petitions:case_close": lambda w, f: {"note": "sweep"},
    "petitions:case_extend": lambda w, f: {"days": "5", "reason": "sweep"},
    "petitions:case_assign": lambda w, f: {"handler": w.handler_b.pk},
    "petitions:deadlines": lambda w, f: {f"{k}_{s}": "9" for k in ("complaint", "denunciation", "proposal",
                                                                    "reflection") for s in ("classify", "resolve")},
    # Conclusions: each form valid, so a leak would write.
    "conclusions:body_list": lambda w, f: {"kind": "other", "name": "sweep"},
    "conclusions:body_detail": lambda w, f: {"action": "member", "username": "sweep_viewer_a"},
    "conclusions:conclusion_create": lambda w, f: {
        "kind": "other", "held_on": "08/07/2025", "chair_name": "sweep", "text": "sweep",
        "tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0", "tasks-MIN_NUM_FORMS": "0", "tasks-MAX_NUM_FORMS": "60",
        "tasks-0-responsible": f"body:{w.body_b.pk}", "tasks-0-what": "sweep", "tasks-0-next_quarter": "on"},
    "conclusions:conclusion_correct": lambda w, f: {
        "kind": "other", "held_on": "09/07/2025", "chair_name": "sweep", "text": "sweep corrected",
        "tasks-TOTAL_FORMS": "1", "tasks-INITIAL_FORMS": "0", "tasks-MIN_NUM_FORMS": "0", "tasks-MAX_NUM_FORMS": "60",
        "tasks-0-responsible": f"body:{w.body_b.pk}", "tasks-0-what": "sweep added", "tasks-0-next_quarter": "on"},
    "conclusions:task_detail": lambda w, f: {"text": "sweep"},
    "conclusions:task_close": lambda w, f: {"text": "sweep"},
    "conclusions:task_carry_over": lambda w, f: {"reason": "sweep"},
    # Quarterly briefings: each form valid, so a leak would write.
    "briefings:unit_reports": lambda w, f: {"quarter": Quarter.of(dt.date.today()).key},
    "briefings:report_detail": lambda w, f: {"summary": "sweep"},
    "briefings:difficulty_add": lambda w, f: {"d-theme": "other", "d-text": "sweep"},
    "briefings:proposal_add": lambda w, f: {"p-theme": "other", "p-text": "sweep"},
    "briefings:report_reopen": lambda w, f: {"reason": "sweep"},
    "briefings:proposal_answer": lambda w, f: {"status": "answered", "answer": "sweep"},
    "committees:unit_import": lambda w, f: {
        "file": SimpleUploadedFile("units.csv", b"code,parent_code,name,level,kind\n"), "dry_run": ""},
}


def payload(world: SimpleNamespace, filled: Filled) -> dict:
    name = filled.pattern.name
    if name in PAYLOADS:
        return PAYLOADS[name](world, filled)
    if name.startswith("admin:") and name.endswith("_delete"):
        return {"post": "yes"}  # the confirmation: an unprotected delete would delete
    if name.startswith("admin:") and name.endswith("_change") and "object_id" in filled.values:
        model = _admin_model(re.search(r"^admin/(?P<app>\w+)/(?P<model>\w+)/", filled.url.lstrip("/")))
        obj = model._default_manager.get(pk=filled.values["object_id"]) if model else None
        if obj is not None:
            data = {"_save": "Save"}
            for key, value in model_to_dict(obj).items():
                if isinstance(value, list):  # many-to-many: the ids
                    data[key] = [str(getattr(v, "pk", v)) for v in value]
                elif isinstance(value, (str, int, float, dt.date)):  # bool is an int
                    data[key] = _form_value(value)
            return data
    return {}


# --- The checksum -------------------------------------------------------------------------------


def _tables() -> list[tuple[str, str, str, list[str]]]:
    """(label, table, pk column, checked columns) of every model, m2m tables included."""
    tables, seen = [], set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        label = meta.label_lower
        if label in EXEMPT_TABLES or meta.db_table in seen or not meta.managed or meta.proxy:
            continue
        seen.add(meta.db_table)
        columns = [f.column for f in meta.concrete_fields if (label, f.name) not in EXEMPT_COLUMNS]
        tables.append((label, meta.db_table, meta.pk.column, columns))
    return tables


def snapshot(tables) -> dict[str, dict]:
    """{table label: {pk: hash of the row}}; the tables are tiny, so whole rows are cheap."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for label, table, pk, columns in tables:
            cursor.execute(f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")
            state[label] = {row[0]: hashlib.blake2b(repr(row).encode(), digest_size=8).digest() for row in cursor}
    return state


def diff(before: dict, after: dict) -> dict[str, set]:
    """{table label: pks of rows added, removed or changed}."""
    changed = {}
    for label, rows in after.items():
        old = before.get(label, {})
        if rows != old:
            changed[label] = {pk for pk in rows.keys() | old.keys() if rows.get(pk) != old.get(pk)}
    return changed


def _own_rows_only(changed: dict[str, set], user) -> bool:
    """Whether every changed row is the requester's own: their user row, or a row that a
    CASCADE foreign key ties to them (it would be deleted with them: their tokens,
    preferences, notifications). A parameterless URL may write those (read all, save one's
    preferences, create a token) and nothing else."""
    if user is None:
        return not changed
    user_model = type(user)
    for label, pks in changed.items():
        model = apps.get_model(label)
        if model is user_model:
            if pks != {user.pk}:
                return False
            continue
        owners = [f for f in model._meta.concrete_fields
                  if f.is_relation and f.related_model is user_model and f.remote_field.on_delete is models.CASCADE]
        if not owners:
            return False
        for pk in pks:
            row = model._default_manager.filter(pk=pk).values(*[f.attname for f in owners]).first()
            if row is not None and user.pk not in row.values():
                return False
            if row is None:  # removed: we cannot tell whose it was
                return False
    return True


# --- The sweep ----------------------------------------------------------------------------------


@dataclass
class Finding:
    url: str
    route: str
    identity: str
    method: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method:4} {self.url}  as {self.identity}: {self.problem}  [{self.route}]"


@dataclass
class Result:
    patterns: int = 0  # patterns requested
    public: int = 0  # patterns left out by PUBLIC
    requests: int = 0
    findings: list[Finding] = field(default_factory=list)
    unfillable: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"authorization sweep: {self.patterns} patterns, {self.requests} requests, "
                 f"{len(self.findings) + len(self.unfillable)} findings"]
        lines += [f"cannot fill: {problem}" for problem in self.unfillable]
        lines += [str(f) for f in self.findings]
        return "\n".join(lines)


def clients(world: SimpleNamespace) -> dict[str, tuple[Client, Any]]:
    """One client per identity, reused for every request; (client, the user it acts as)."""
    def signed_in(user):
        client = Client(headers={"accept-language": "en"})
        # The first backend is axes's, which cannot load a user from a session.
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return {
        "anonymous": (Client(headers={"accept-language": "en"}), None),
        "viewer_a": (signed_in(world.viewer_a), world.viewer_a),
        "secretary_a": (signed_in(world.secretary_a), world.secretary_a),
        "token_a": (Client(headers={"accept-language": "en", "authorization": f"Bearer {world.key_a}"}),
                    world.secretary_a),
    }


def _login_paths() -> set[str]:
    paths = {urlparse(resolve_url(settings.LOGIN_URL)).path}
    try:
        paths.add(reverse("admin:login"))
    except Exception:  # noqa: BLE001 — a URL conf without the admin
        pass
    return paths


def _body(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _verdict(filled: Filled, identity: str, response: HttpResponseBase, body: str, *, login_paths: set[str],
             markers: tuple[str, ...]) -> str:
    """What is wrong with the response, or ""."""
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    if filled.of_b:
        if status in REDIRECTS:
            target = urlparse(response["Location"]).path
            return "" if target in login_paths else f"redirect to {response['Location']}, not to a login page"
        if status in (401, 403, 404):
            return ""
        # A 405 before any lookup says nothing about the object. For a request without a
        # session (anonymous, or a token, which only reads) the method check is as far as
        # it gets, so it is accepted; a signed-in user must meet the scope check first
        # (404), so that an out-of-scope object answers the same whatever the method.
        if status == 405 and identity in SESSIONLESS:
            return ""
        return f"status {status} for an object of B"
    leaked = [marker for marker in markers if marker in body]
    return f"status {status} shows {', '.join(leaked)} of B" if leaked else ""


def run(world: SimpleNamespace, urlconf: str | None = None) -> Result:
    """Sweep every pattern of `urlconf` (the project's by default) as every identity."""
    result = Result()
    tables = _tables()
    login_paths = _login_paths()
    identities = clients(world)
    state = snapshot(tables)
    # Every refusal logs a warning; a thousand of them would bury a real failure's output.
    request_log = logging.getLogger("django.request")
    level, request_log.level = request_log.level, logging.ERROR
    try:
        _sweep(world, urlconf, result, tables, login_paths, identities, state)
    finally:
        request_log.setLevel(level)
    return result


def _sweep(world, urlconf, result: Result, tables, login_paths, identities, state) -> None:
    for pattern in patterns(urlconf):
        if pattern.name in PUBLIC:
            result.public += 1
            continue
        filled = fill(pattern, world)
        if isinstance(filled, str):
            result.unfillable.append(f"{pattern.label}: {filled}")
            continue
        result.patterns += 1
        for identity, (client, user) in identities.items():
            for method in ("GET", "POST"):
                result.requests += 1
                problem = ""
                try:
                    if method == "GET":
                        response = client.get(filled.url)
                    else:
                        response = client.post(filled.url, payload(world, filled))
                except Exception as exc:  # noqa: BLE001 — the view crashed: a finding, then go on
                    problem = f"raised {type(exc).__name__}: {exc}"
                else:
                    # Reading a streamed body to its end closes it as the test client does; never
                    # close a response again here: request_finished would close the database
                    # connection inside the test's transaction (PostgreSQL).
                    body = _body(response)
                    problem = _verdict(filled, identity, response, body, login_paths=login_paths,
                                       markers=world.markers)
                after = snapshot(tables)
                changed = diff(state, after)
                state = after
                if changed and (filled.of_b or not _own_rows_only(changed, None if identity == "anonymous" else user)):
                    rows = "; ".join(f"{label} {sorted(pks)}" for label, pks in sorted(changed.items()))
                    problem = "; ".join(p for p in (problem, f"changed {rows}") if p)
                if problem:
                    result.findings.append(Finding(filled.url, pattern.route, identity, method, problem))

