"""The maintained roll-ups equal a recomputation from scratch after any sequence of
changes: units created, moved, re-levelled, deleted; congresses opened, rescheduled,
registered, held, deleted; milestones done, reopened and deleted; imports; the bulk
services; plan steps added, changed (levels, due rule) and removed after congresses
were opened; subcommittees set up and removed; units followed and unfollowed by working
groups and their members, members leaving, groups dissolved; congress documents created,
their drafting steps ticked and reopened, sent for comments, answered and approved;
petitions registered (about personnel or not), classified, verified, concluded, closed and
their deadlines extended. Every counter in progress.registry is compared, so an app that registers a new
one is covered here without editing this test."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.db.models.deletion import ProtectedError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import AdminFactory
from committees import services as unit_services
from committees.importing import Row, import_units
from committees.models import Level, Unit
from congresses import services
from congresses.models import Congress, DueRule, MilestoneStatus, PlanStep, SubcommitteeKind, Term
from documents import services as document_services
from documents.models import CommentRecipient, CongressDocument, DocumentKind
from congresses.models import Congress, DueRule, MilestoneStatus, PlanStep, Term
from personnel import checks as personnel_checks
from personnel import services as personnel_services
from personnel.models import PersonnelPlan, PlanStatus
from petitions import services as petition_services
from petitions.models import Petition, PetitionKind, PetitionStatus
from progress import rollups
from workgroups import services as workgroup_services
from workgroups.models import Assignment, GroupMember, GroupUnit, WorkingGroup

LEVELS = Level.values
OPS = st.lists(
    st.tuples(
        st.sampled_from(["unit", "move", "level", "congress", "date", "register", "hold", "pilot", "tick", "reopen", "import",
                         "bulk_create", "bulk_hold", "delete_unit", "delete_congress", "delete_milestone",
                         "step_add", "step_change", "step_remove", "subcommittee", "subcommittee_delete",
                         "follow", "unfollow", "unassign", "member_leave", "dissolve", "group",
                         "document", "doc_step", "doc_reopen", "doc_round", "doc_answer", "doc_review",
                         "plan", "nominee", "plan_submit", "plan_decide", "plan_results", "plan_revise",
                         "petition", "petition_step", "petition_extend"]),
        st.integers(0, 1000), st.integers(0, 1000), st.integers(-40, 40),
    ),
    min_size=3, max_size=25,
)


class RollupPropertyTest(TestCase):
    def setUp(self):
        self.user = AdminFactory(username="admin")
        # Two current terms, one per set of levels (DOMAIN.md: cells on shorter terms).
        self.term = Term.objects.create(name="2025–2030", start_year=2025, end_year=2030, is_current=True,
                                        levels=[lv for lv in LEVELS if lv != Level.SUB])
        self.term_sub = Term.objects.create(name="2025–2027", start_year=2025, end_year=2027, is_current=True,
                                            levels=[Level.SUB])
        services.plan_apply_default(term=self.term)
        services.plan_apply_default(term=self.term_sub)
        self.root = unit_services.unit_create(code="R", name="Root", level=Level.PROVINCE)
        self.counter = 0
        # A small tree to start from, some congresses opened, so that short sequences
        # already reach moves, bottom-up checks and per-level counts.
        day = dt.date(2026, 6, 1)
        services.congress_create(unit=self.root, term=self.term, user=self.user, planned_date=day + dt.timedelta(days=30))
        for i in (1, 2):
            commune = unit_services.unit_create(code=f"C{i}", name=f"C{i}", level=Level.UPPER, parent=self.root)
            services.congress_create(unit=commune, term=self.term, user=self.user, planned_date=day + dt.timedelta(days=10 * i))
            for j in (1, 2):
                cell = unit_services.unit_create(code=f"X{i}{j}", name=f"X{i}{j}", level=Level.GRASSROOTS, parent=commune)
                if j == 1:
                    services.congress_create(unit=cell, term=self.term, user=self.user,
                                             planned_date=day + dt.timedelta(days=5 * i), is_pilot=i == 1)

        # Two working groups of the root (one per current term), with two members each.
        self.groups = 0
        for term in (self.term, self.term_sub):
            self._group(term)

    def _group(self, term):
        self.groups += 1
        group = workgroup_services.group_create(
            unit=self.root, term=term, number=self.groups, name=f"Tổ {self.groups}",
            decision_number=f"{self.groups}-QĐ/TU", decision_date=dt.date(2026, 1, 5), user=self.user)
        for name in ("A", "B"):
            workgroup_services.member_add(group=group, full_name=name, user=self.user, on=dt.date(2026, 1, 5))
        return group

    def _working_group_op(self, op, a, b, delta):
        today = dt.date(2026, 6, 1)
        if op == "group":
            self._group((self.term, self.term_sub)[a % 2])
        elif op == "follow":
            # A member assigned a unit (the group follows it too), or the group alone.
            unit = self._pick(Unit.objects.exclude(pk=self.root.pk), a)
            if unit is None:
                return
            if delta % 3:
                member = self._pick(GroupMember.objects.active().filter(group__status="active"), b)
                if member:
                    workgroup_services.assignment_add(member=member, unit=unit, user=self.user, on=today)
            else:
                group = self._pick(WorkingGroup.objects.active(), b)
                if group:
                    workgroup_services.group_unit_add(group=group, unit=unit, user=self.user, on=today)
        elif op == "unfollow":
            row = self._pick(GroupUnit.objects.filter(ended_on__isnull=True), a)
            if row:
                workgroup_services.group_unit_end(group_unit=row, user=self.user, on=today)
        elif op == "unassign":
            assignment = self._pick(Assignment.objects.filter(ended_on__isnull=True), a)
            if assignment:
                workgroup_services.assignment_end(assignment=assignment, user=self.user, on=today)
        elif op == "member_leave":
            member = self._pick(GroupMember.objects.active(), a)
            if member:
                workgroup_services.member_remove(member=member, user=self.user, on=today)
        elif op == "dissolve":
            group = self._pick(WorkingGroup.objects.active(), a)
            if group:
                workgroup_services.group_dissolve(group=group, decision_number="9-QĐ/TU", dissolved_on=today,
                                                  user=self.user)

    def _term_of(self, unit):
        return self.term if self.term.covers(unit.level) else self.term_sub

    def _pick(self, qs, n):
        items = list(qs.order_by("pk"))
        return items[n % len(items)] if items else None

    def _apply(self, op, a, b, delta):
        today = dt.date(2026, 6, 1)
        units = Unit.objects.all()
        if op in ("follow", "unfollow", "unassign", "member_leave", "dissolve", "group"):
            self._working_group_op(op, a, b, delta)
        elif op == "unit":
            parent = self._pick(units, a)
            self.counter += 1
            unit_services.unit_create(code=f"U{self.counter}", name=f"U{self.counter}", level=LEVELS[b % 5], parent=parent)
        elif op == "move":
            unit, parent = self._pick(units, a), self._pick(units, b)
            if unit.pk != self.root.pk and not parent.path.startswith(unit.path):
                unit_services.unit_move(unit=unit, new_parent=parent)
        elif op == "level":
            unit = self._pick(units, a)
            unit_services.unit_update(unit=unit, name=unit.name, level=LEVELS[b % 5], kind=unit.kind, is_active=True)
        elif op == "congress":
            unit = self._pick(units.exclude(congresses__isnull=False), a)
            if unit:
                services.congress_create(unit=unit, term=self._term_of(unit), user=self.user,
                                         planned_date=today + dt.timedelta(days=delta), is_pilot=bool(b % 3 == 0),
                                         registered_on=today if b % 2 else None)
        elif op == "delete_unit":
            # Only a unit without subordinates, congresses or users can go.
            unit = self._pick(units.filter(children__isnull=True, congresses__isnull=True, petitions__isnull=True,
                                           comment_requests__isnull=True).exclude(pk=self.root.pk), a)
            if unit:
                unit_services.unit_delete(unit=unit)
        elif op == "bulk_create":
            free = list(units.exclude(congresses__isnull=False).order_by("pk"))[a % 3 :: 2]
            for term in (self.term, self.term_sub):
                services.congresses_bulk_create(term=term, user=self.user, specs=[
                    services.CongressSpec(unit=u, planned_date=today + dt.timedelta(days=delta + i), is_pilot=bool(i % 2))
                    for i, u in enumerate(free) if self._term_of(u) == term])
        elif op == "step_add":
            self.counter += 1
            rule = [DueRule.BEFORE, DueRule.AFTER, DueRule.FIXED][b % 3]
            services.plan_step_add(
                term=(self.term, self.term_sub)[a % 2], user=self.user, code=f"s{self.counter}", title="Step",
                levels=sorted({LEVELS[b % 5], LEVELS[(b + a) % 5]}), due_rule=rule, offset_days=abs(delta),
                due_date=today + dt.timedelta(days=delta) if rule == DueRule.FIXED else None,
                effect=["", "", "register", "hold"][a % 4])
        elif op == "step_change":
            step = self._pick(PlanStep.objects.all(), a)
            if step is None:
                return
            levels = set(step.levels) ^ {LEVELS[b % 5]} or {LEVELS[(b + 1) % 5]}  # a level added or taken away
            data = {"levels": sorted(levels)}
            if delta % 2:
                data.update(due_rule=DueRule.AFTER if step.due_rule == DueRule.BEFORE else DueRule.BEFORE,
                            offset_days=abs(delta))
            services.plan_step_update(step=step, user=self.user, data=data, allow_done=True)
        elif op in ("plan", "nominee", "plan_submit", "plan_decide", "plan_results", "plan_revise"):
            self._personnel(op, a, b, delta)
        elif op.startswith("petition"):
            self._petition(op, a, b, delta)
        elif op == "step_remove":
            step = self._pick(PlanStep.objects.all(), a)
            if step is not None:
                services.plan_step_remove(step=step, user=self.user, allow_done=True)
        elif op.startswith("doc"):
            self._document_op(op, a, b)
        else:
            congress = self._pick(Congress.objects.all(), a)
            if congress is None:
                return
            if op == "date":
                services.congress_update(congress=congress, user=self.user,
                                         data={"planned_date": today + dt.timedelta(days=delta)})
            elif op == "register":
                services.congress_update(congress=congress, user=self.user,
                                         data={"registered_on": None if congress.registered_on else today})
            elif op == "hold":
                held = congress.held_on is not None
                services.congress_update(congress=congress, user=self.user, data={
                    "held_on": None if held else today, "status": "preparing" if held else "held"})
            elif op == "pilot":
                services.congress_update(congress=congress, user=self.user, data={"is_pilot": not congress.is_pilot})
            elif op in ("tick", "reopen"):
                milestone = self._pick(congress.milestones.all(), b)
                if milestone:
                    done = op == "tick"
                    services.milestone_update(milestone=milestone, user=self.user,
                                              status=MilestoneStatus.DONE if done else MilestoneStatus.IN_PROGRESS,
                                              done_on=today if done else None)
            elif op == "subcommittee":
                services.subcommittee_create(
                    congress=congress, user=self.user, kind=SubcommitteeKind.values[b % 5], name=f"Tiểu ban {b}",
                    decision_number=f"{b}-QĐ/ĐU", decision_date=today - dt.timedelta(days=abs(delta)),
                    head=services.Person("Trưởng ban", "Bí thư"), members=[services.Person("Ủy viên")])
            elif op == "subcommittee_delete":
                subcommittee = self._pick(congress.subcommittees.all(), b)
                if subcommittee:
                    services.subcommittee_delete(subcommittee=subcommittee, user=self.user)
            elif op == "delete_congress":
                services.congress_delete(congress=congress, user=self.user)
            elif op == "delete_milestone":
                milestone = self._pick(congress.milestones.all(), b)
                if milestone:
                    services.milestone_delete(milestone=milestone, user=self.user)
            elif op == "bulk_hold":
                held = congress.held_on is not None
                held_on = today + dt.timedelta(days=delta)
                services.congresses_bulk_progress(user=self.user, congresses=[services.CongressProgress(
                    congress_id=congress.pk,
                    data={"held_on": None, "status": "preparing"} if held else {"held_on": held_on, "status": "held"})])
            elif op == "import":
                # Re-import an existing unit under another parent and add a new one.
                unit, parent = self._pick(units, b), self._pick(units, delta + 40)
                rows = []
                self.counter += 1
                rows.append(Row(2, f"I{self.counter}", parent.code, "Imported", LEVELS[a % 5], "cell"))
                if unit.pk != self.root.pk and not parent.path.startswith(unit.path):
                    level = LEVELS[(a + 1) % 5] if delta % 2 else unit.level  # sometimes re-levelled too
                    rows.append(Row(3, unit.code, parent.code, unit.name, level, unit.kind))
                    # and a second, unrelated unit moved under the root in the same file
                    other = self._pick(units.exclude(path__startswith=unit.path).exclude(pk=self.root.pk), a)
                    if other and not unit.path.startswith(other.path) and not parent.path.startswith(other.path):
                        rows.append(Row(4, other.code, self.root.code, other.name, other.level, other.kind))
                report = import_units(rows)
                assert report.ok, report.errors

    def _document_op(self, op, a, b):
        """Congress documents (documents.services): created, steps ticked and reopened,
        sent for comments to the subordinates, answered, approved by the superior."""
        if op == "document":
            congress = self._pick(Congress.objects.all(), a)
            kind = DocumentKind.values[b % len(DocumentKind.values)]
            if congress and (kind == DocumentKind.OTHER or not congress.documents.filter(kind=kind).exists()):
                document_services.document_create(congress=congress, kind=kind, user=self.user)
            return
        document = self._pick(CongressDocument.objects.all(), a)
        if document is None:  # the first document operation opens one
            congress = self._pick(Congress.objects.all(), a)
            if congress is None:
                return
            document = document_services.document_create(congress=congress, kind=DocumentKind.OTHER, user=self.user)
        if op in ("doc_step", "doc_reopen"):
            steps = document_services.drafting_steps_for(term=document.congress.term)
            step = steps[b % (len(steps) - 1)]  # the last is the review step
            if op == "doc_step":
                document_services.step_complete(document=document, step=step, done_on=dt.date(2026, 1, 5),
                                                user=self.user)
            else:
                document_services.step_reopen(document=document, step=step, user=self.user)
        elif op == "doc_round":
            version = document.versions.first() or document_services.version_upload(
                document=document, upload=SimpleUploadedFile("v.pdf", b"%PDF-1.4 v"), user=self.user)
            document_services.round_send(version=version, deadline=timezone.localdate() + dt.timedelta(days=9),
                                         subordinates=True, superior=bool(b % 2), user=self.user)
        elif op == "doc_answer":
            request = self._pick(CommentRecipient.objects.filter(answered_at__isnull=True), b)
            if request:
                document_services.request_answer(request=request, user=self.user, no_comment=True)
        elif op == "doc_review":
            version = document.versions.first()
            if version and document.congress.unit.parent_id:
                review = document_services.review_submit(document=document, version=version, user=self.user)
                document_services.review_decide(review=review, approve=True, user=self.user)
    def _personnel(self, op, a, b, delta):
        """Personnel plans (personnel.progress): opened, nominees added, submitted,
        approved or returned, results entered, revised."""
        if op == "plan":
            congress = self._pick(Congress.objects.filter(personnel_plan__isnull=True), a)
            if congress:
                personnel_services.plan_create(congress=congress, user=self.user, data={"executive_seats": b % 4})
            return
        plans = PersonnelPlan.objects.all()
        if op == "nominee":
            plan = self._pick(plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED]), a)
            if plan:
                personnel_services.nominee_add(plan=plan, user=self.user, data={
                    "full_name": f"N{a}", "date_of_birth": dt.date(1960 + b % 40, 1, 1),
                    "gender": "female" if b % 2 else "male", "ethnicity": "Kinh" if delta % 3 else "Ê Đê",
                    "renominated": bool(delta % 2), "bodies": ["executive"]})
        elif op == "plan_submit":
            plan = self._pick(plans.filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED]), a)
            if plan:
                for check in personnel_checks.run(plan):
                    if not check.ok:
                        personnel_services.check_acknowledge(plan=plan, user=self.user, code=check.code, reason="ok")
                personnel_services.plan_submit(plan=plan, user=self.user)
        elif op == "plan_decide":
            plan = self._pick(plans.filter(status=PlanStatus.SUBMITTED), a)
            if plan and b % 2:
                personnel_services.plan_approve(plan=plan, user=self.user)
            elif plan:
                personnel_services.plan_return(plan=plan, user=self.user, comment="again")
        elif op == "plan_results":
            plan = self._pick(plans.filter(status=PlanStatus.APPROVED), a)
            if plan:
                elected = [personnel_services.Elected(nominee_id=n.pk, body="executive", votes=9, ballots=10)
                           for n in plan.nominees.all()[: plan.executive_seats]]
                personnel_services.results_enter(plan=plan, user=self.user, elected=elected)
        elif op == "plan_revise":
            plan = self._pick(plans.filter(status=PlanStatus.APPROVED), a)
            if plan:
                personnel_services.plan_revise(plan=plan, user=self.user, reason="change")

    def _petition(self, op, a, b, delta):
        """Petitions (petitions.progress): registered on a day before today (so some are
        overdue), about personnel or not, moved one step along the workflow, extended."""
        if op == "petition":
            unit = self._pick(Unit.objects.all(), a)
            petition_services.petition_register(
                user=self.user, unit=unit, received_on=timezone.localdate() - dt.timedelta(days=abs(delta)),
                channel="post", kind=PetitionKind.values[b % 4], summary="s", about_personnel=bool(b % 2))
            return
        petition = self._pick(Petition.objects.all(), a)
        if petition is None:
            return
        if op == "petition_extend":
            petition_services.petition_extend(petition=petition, user=self.user, days=1 + b % 20, reason="r")
        elif petition.status == PetitionStatus.RECEIVED:
            decision = [PetitionStatus.ACCEPTED, PetitionStatus.ACCEPTED, PetitionStatus.FILED,
                        PetitionStatus.TRANSFERRED][b % 4]
            petition_services.petition_classify(petition=petition, user=self.user, decision=decision,
                                                transferred_to="Thanh tra")
        elif petition.status == PetitionStatus.ACCEPTED:
            petition_services.petition_verify(petition=petition, user=self.user)
        elif petition.status == PetitionStatus.VERIFYING:
            petition_services.petition_conclude(petition=petition, user=self.user, conclusion="c")
        elif petition.status == PetitionStatus.CONCLUDED:
            petition_services.petition_close(petition=petition, user=self.user)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ops=OPS)
    def test_rollups_equal_recomputation_after_any_sequence(self, ops):
        for op in ops:
            try:
                self._apply(*op)
            except (ValidationError, ProtectedError):
                # A congress with a personnel plan is protected from deletion.
                # The sequence asked for something the rules refuse (a date registered
                # after the congress date, say): the refused change must leave the counts
                # as they were, which the comparison below checks too.
                pass
        assert rollups.differences() == []

    def test_document_counts_follow_steps_rounds_answers_and_moves(self):
        for op in [("doc_step", 0, 1), ("doc_step", 0, 2), ("doc_round", 0, 0), ("doc_answer", 0, 0),
                   ("doc_review", 0, 0), ("doc_reopen", 0, 1), ("document", 3, 0), ("move", 3, 1)]:
            self._apply(*op, 0)
            assert rollups.differences() == [], op
        assert CommentRecipient.objects.filter(answered_at__isnull=False).count() == 1

    def test_bottom_up_flag_follows_dates_and_moves(self):
        commune = unit_services.unit_create(code="C", name="C", level=Level.UPPER, parent=self.root)
        cell = unit_services.unit_create(code="X", name="X", level=Level.GRASSROOTS, parent=commune)
        other = unit_services.unit_create(code="O", name="O", level=Level.UPPER, parent=self.root)
        upper = services.congress_create(unit=commune, term=self.term, user=self.user,
                                         planned_date=dt.date(2026, 7, 1)).congress
        services.congress_create(unit=cell, term=self.term, user=self.user, planned_date=dt.date(2026, 7, 10))
        upper.refresh_from_db()
        assert upper.before_subordinates
        assert rollups.differences() == []
        unit_services.unit_move(unit=cell, new_parent=other)
        upper.refresh_from_db()
        assert not upper.before_subordinates
        assert rollups.differences() == []

    def test_petition_counts_follow_the_workflow_extensions_and_moves(self):
        for op in [("petition", 3, 1, -40), ("petition", 4, 2, 0), ("petition", 5, 3, -3), ("petition_step", 0, 0, 0),
                   ("petition_extend", 0, 5, 0), ("move", 3, 1, 0), ("petition_step", 1, 2, 0),
                   ("petition_step", 0, 0, 0), ("level", 4, 2, 0), ("petition_step", 0, 0, 0)]:
            self._apply(*op)
            assert rollups.differences() == [], op
        assert sorted(Petition.objects.values_list("status", flat=True)) == ["concluded", "filed", "received"]

    def test_rebuild_restores_truth(self):
        child = unit_services.unit_create(code="C", name="C", level=Level.UPPER, parent=self.root)
        services.congress_create(unit=child, term=self.term, user=self.user, planned_date=dt.date(2026, 7, 1))
        from progress.models import StepCount

        StepCount.objects.all().delete()
        assert rollups.differences()
        rollups.rebuild()
        assert rollups.differences() == []
