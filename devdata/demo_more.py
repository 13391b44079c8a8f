"""The second half of the demo province (`manage.py load_demo`): what the provincial
committee does around the congresses once they are under way.

- a working group of the provincial standing committee whose members follow communes
  (`togiup` among them), with notes in its follow-up log;
- the subcommittees of the province's congress (and one of bithu.xa's commune);
- congress documents: the province's political report in two versions, its drafting
  steps and a comment round sent to every subordinate unit; two documents of bithu.xa's
  commune;
- the personnel plan of bithu.xa's commune, submitted to the province;
- petitions worked by the province's inspection committee (`kiemtra`);
- last quarter's briefing: reports filed by some communes, one proposal answered;
- the province's boards and office (`bantochuc` in Ban Tổ chức) and the conclusion of
  last quarter's briefing with its tasks.

Everything is written by the apps' services, as a user of the portal would, so the
roll-ups, the counters and the history are right; dates are relative to today and every
draw goes through the command's seeded `rng`. Called by `load_demo` inside its
transaction, after the congresses and their milestones exist.

A service refusing something here is a bug in this data, never in the service: the
services check what a real user would be told.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from committees.models import Unit
from congresses.models import Congress, to_roman
from devdata.shapes import COMMUNE_KINDS, ProvinceName

# The two demo users whose grants come from the services (workgroups, conclusions): they
# are created by load_demo with the other demo users, under these names.
FOLLOWER_NAME = "Nguyễn Đình Khánh"
BOARD_MEMBER_NAME = "Lê Thị Thu Hà"

ROMAN_QUARTER = {1: "I", 2: "II", 3: "III", 4: "IV"}


# ---------------------------------------------------------------------------------------
# Invented names


KINH_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
                 "Dương", "Đinh", "Thái", "Cao", "Chu", "Hà"]
THAI_SURNAMES = ["Lô", "Lương", "Vi", "Lang", "Kha", "Quang"]
MALE_MIDDLE = ["Văn", "Đình", "Hữu", "Quốc", "Minh", "Xuân", "Đức", "Công", "Thanh", "Trọng", "Bá"]
FEMALE_MIDDLE = ["Thị", "Thị Thu", "Thị Hồng", "Thị Minh", "Thị Thanh", "Thị Kim", "Thị Mai"]
MALE_GIVEN = ["Hùng", "Dũng", "Thắng", "Long", "Nam", "Hải", "Sơn", "Tuấn", "Cường", "Bình", "Quang", "Trung",
              "Phong", "Thành", "Hiếu", "Lâm", "Tùng", "Vinh", "Hòa", "Lợi", "Toàn", "Kiên", "Đạt", "Tâm"]
FEMALE_GIVEN = ["Hà", "Lan", "Hương", "Mai", "Hoa", "Nga", "Thủy", "Hằng", "Yến", "Loan", "Oanh", "Vân",
                "Trang", "Huyền"]


class Names:
    """Invented Vietnamese names, each given once per load."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used = {FOLLOWER_NAME, BOARD_MEMBER_NAME}

    def person(self, *, female: bool = False, ethnicity: str = "Kinh") -> str:
        rng = self.rng
        surnames = KINH_SURNAMES if ethnicity == "Kinh" else THAI_SURNAMES
        while True:
            middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
            given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
            name = f"{rng.choice(surnames)} {middle} {given}"
            if name not in self.used:
                self.used.add(name)
                return name


# ---------------------------------------------------------------------------------------
# Small real files


def docx_upload(filename: str, title: str, paragraphs: list[str]) -> SimpleUploadedFile:
    """A small real Word document, built in memory (uploads are checked by content)."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        if text.startswith("# "):
            document.add_heading(text[2:], level=2)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(
        filename, buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


# ---------------------------------------------------------------------------------------
# The loader


@dataclass
class Leaders:
    """The province's leaders as the demo names them (subcommittees, working group, chair)."""

    secretary: str
    standing_deputy: str
    chairman: str
    organisation: str
    propaganda: str
    office: str
    inspection: str


@dataclass
class DemoMore:
    root: Unit
    term: object
    users: dict
    demo_units: list  # load_demo.DemoUnit, parents first
    units: dict[str, Unit]
    rng: random.Random
    today: dt.date
    named: ProvinceName
    summary: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self.admin = self.users["admin"]
        self.names = Names(self.rng)
        self.tu = self.named.format("{tu}")  # Tỉnh ủy / Thành ủy
        self.t = self.named.t  # tỉnh / thành phố
        self.xa = self._unit_of("bithu.xa")
        self.xa2 = self._unit_of("bithu.xa2")
        self.communes = [u for u in self.demo_units if u.level == "upper" and u.kind in COMMUNE_KINDS]
        self.congress = {c.unit_id: c for c in Congress.objects.filter(
            term=self.term, unit__in=[self.root, self.xa, self.xa2]).select_related("unit", "term")}
        self.leaders = Leaders(
            secretary=self.names.person(), standing_deputy=self.names.person(), chairman=self.names.person(),
            organisation=self.names.person(), propaganda=self.names.person(female=True),
            office=self.names.person(), inspection=self.names.person(),
        )
        from briefings.quarters import Quarter

        self.quarter = Quarter.of(self.today).previous
        # The briefing of last quarter, held early in this one (never after today).
        self.briefing_on = max(self.quarter.end + dt.timedelta(days=1),
                               min(self.quarter.end + dt.timedelta(days=8), self.day(-1)))

    def day(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def _unit_of(self, username: str) -> Unit:
        return self.users[username].grants.select_related("unit").get().unit

    def unit(self, demo_unit) -> Unit:
        return self.units[demo_unit.code]

    def load(self) -> list[tuple[str, str]]:
        self.boards()
        self.working_group()
        self.subcommittees()
        self.documents()
        self.personnel()
        self.petitions()
        self.briefing()
        self.conclusion()
        for user in self.users.values():  # grants given by the services: a fresh scope
            user.refresh_from_db()
        return self.summary

    # -- the province's boards ---------------------------------------------------------

    def boards(self) -> None:
        from conclusions.models import BodyKind
        from conclusions.services import body_create, body_member_add

        tu, t = self.tu, self.t
        specs = [
            (BodyKind.ORGANISATION, f"Ban Tổ chức {tu}"),
            (BodyKind.PROPAGANDA, f"Ban Tuyên giáo và Dân vận {tu}"),
            (BodyKind.INSPECTION, f"Ủy ban Kiểm tra {tu}"),
            (BodyKind.INTERNAL_AFFAIRS, f"Ban Nội chính {tu}"),
            (BodyKind.OFFICE, f"Văn phòng {tu}"),
            (BodyKind.FATHERLAND_FRONT, f"Ủy ban Mặt trận Tổ quốc Việt Nam {t} {self.named.short}"),
        ]
        self.bodies = {kind: body_create(unit=self.root, kind=kind, name=name, user=self.admin)
                       for kind, name in specs}
        body_member_add(body=self.bodies[BodyKind.ORGANISATION], person=self.users["bantochuc"], user=self.admin)
        self.summary.append(("boards", f"{len(specs)} boards and offices of the province, bantochuc in "
                                       f"{self.bodies[BodyKind.ORGANISATION].name}"))

    # -- the working group ---------------------------------------------------------------

    def working_group(self) -> None:
        from workgroups.models import FollowUpKind, MemberRole
        from workgroups.services import assignment_add, follow_up_add, group_create, member_add

        rng, tu = self.rng, self.tu
        decided_on = self.day(-110)
        group = group_create(
            unit=self.root, term=self.term, number=1, name=f"Tổ công tác số 1 của Ban Thường vụ {tu}",
            decision_number=f"{rng.randint(1500, 1900)}-QĐ/TU", decision_date=decided_on, user=self.admin,
            purpose=(f"Theo dõi, hướng dẫn, kiểm tra công tác chuẩn bị và tổ chức đại hội đảng bộ các xã, phường, "
                     f"đặc khu trực thuộc {tu} nhiệm kỳ {self.term.name}; kịp thời báo cáo Thường trực {tu} những "
                     f"khó khăn, vướng mắc."),
            sub_teams=["Nhóm theo dõi số 1", "Nhóm theo dõi số 2"],
        )
        team1, team2 = group.sub_teams.order_by("order")
        on = decided_on + dt.timedelta(days=3)
        people = [
            # (name, portal user, position, role, sub-team, how many communes)
            (self.leaders.organisation, None, f"Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức {tu}", MemberRole.LEADER,
             None, 2),
            (self.names.person(), None, f"Phó Chánh Văn phòng {tu}", MemberRole.DEPUTY, team1, 3),
            (FOLLOWER_NAME, self.users["togiup"], f"Chuyên viên Ban Tổ chức {tu}", MemberRole.MEMBER, team1, 4),
            (self.names.person(female=True), None, f"Phó Chủ nhiệm Ủy ban Kiểm tra {tu}", MemberRole.MEMBER,
             team2, 4),
            (self.names.person(), None, f"Chuyên viên Văn phòng {tu}", MemberRole.MEMBER, team2, 3),
        ]
        # The leader follows the pilot communes; togiup follows bithu.xa's commune and
        # three others; the rest share communes drawn for the demo.
        pilots = [u for u in self.communes if u.pilot and self.unit(u) != self.xa][:2]
        pool = [u for u in self.communes if u not in pilots and self.unit(u) not in (self.xa, self.xa2)]
        drawn = iter(rng.sample(pool, sum(n for *_rest, n in people)))
        members, followed = [], {}
        for name, person, position, role, team, n in people:
            member = member_add(group=group, user=self.admin, person=person, full_name=name, position=position,
                                role=role, sub_team=team, on=decided_on)
            if role == MemberRole.LEADER and pilots:
                mine = [self.unit(u) for u in pilots]
            elif person is not None:
                mine = [self.xa] + [self.unit(next(drawn)) for _ in range(n - 1)]
            else:
                mine = [self.unit(next(drawn)) for _ in range(n)]
            for unit in mine:
                assignment_add(member=member, unit=unit, user=self.admin, on=on)
            members.append(member)
            followed[member.pk] = mine
        leader, _deputy, follower, inspector, _clerk = members
        notes = [
            (follower, self.xa, FollowUpKind.VISIT, -24, self.users["togiup"],
             "Làm việc với Ban Thường vụ Đảng ủy về tiến độ chuẩn bị đại hội: đã thành lập Tiểu ban Văn kiện, "
             "đang dự thảo báo cáo chính trị; phương án nhân sự đang hoàn thiện."),
            (follower, self.xa, FollowUpKind.GUIDANCE, -6, self.users["togiup"],
             f"Hướng dẫn hoàn thiện hồ sơ, tờ trình đề án nhân sự trình Ban Thường vụ {tu}; lưu ý bảo đảm tỷ lệ "
             "cán bộ nữ, cán bộ trẻ trong danh sách giới thiệu."),
            (inspector, followed[inspector.pk][0], FollowUpKind.PROBLEM, -9, self.admin,
             "Đảng ủy chậm tổng hợp ý kiến góp ý của các chi bộ vào dự thảo văn kiện; đã đề nghị hoàn thành "
             "trong tuần."),
            (leader, followed[leader.pk][0], FollowUpKind.PROPOSAL, -3, self.admin,
             f"Đề nghị Thường trực {tu} cho ý kiến về việc bố trí nhân sự chủ chốt đối với đồng chí Bí thư "
             "Đảng ủy sắp đến tuổi nghỉ hưu."),
        ]
        for member, unit, kind, days, user, text in notes:
            follow_up_add(member=member, unit=unit, kind=kind, happened_on=self.day(days), text=text, user=user)
        total = sum(len(v) for v in followed.values())
        self.summary.append(("groups", f"1 working group ({len(members)} members, {total} communes followed, "
                                       f"{len(notes)} follow-up notes)"))

    # -- subcommittees -------------------------------------------------------------------

    def subcommittees(self) -> None:
        from congresses.models import SubcommitteeKind
        from congresses.services import Person, subcommittee_create

        rng, tu, L = self.rng, self.tu, self.leaders
        congress = self.congress[self.root.pk]
        decided_on = min(self.day(-60), self.briefing_on - dt.timedelta(days=14))
        number = f"{rng.randint(1900, 2100)}-QĐ/TU"

        def people(*positions: str) -> list[Person]:
            return [Person(self.names.person(female=rng.random() < 0.3), p) for p in positions]

        specs = [
            (SubcommitteeKind.DOCUMENTS, Person(L.secretary, f"Bí thư {tu}"),
             [Person(L.chairman, f"Phó Bí thư {tu}, Chủ tịch Ủy ban nhân dân {self.t}"),
              Person(L.propaganda, f"Trưởng Ban Tuyên giáo và Dân vận {tu}"),
              *people(f"Phó Trưởng Ban Tuyên giáo và Dân vận {tu}", "Giám đốc Sở Tài chính",
                      f"Phó Chánh Văn phòng {tu}")]),
            (SubcommitteeKind.PERSONNEL, Person(L.secretary, f"Bí thư {tu}"),
             [Person(L.standing_deputy, f"Phó Bí thư Thường trực {tu}"),
              Person(L.organisation, f"Trưởng Ban Tổ chức {tu}"),
              Person(L.inspection, f"Chủ nhiệm Ủy ban Kiểm tra {tu}")]),
            (SubcommitteeKind.ORGANISATION, Person(L.standing_deputy, f"Phó Bí thư Thường trực {tu}"),
             [Person(L.office, f"Chánh Văn phòng {tu}"),
              *people(f"Giám đốc Công an {self.t}", f"Chỉ huy trưởng Bộ Chỉ huy Quân sự {self.t}",
                      "Giám đốc Sở Y tế", "Phó Chánh Văn phòng Ủy ban nhân dân " + self.t)]),
            (SubcommitteeKind.PROPAGANDA, Person(L.propaganda, f"Trưởng Ban Tuyên giáo và Dân vận {tu}"),
             people("Tổng Biên tập Báo " + self.named.short, "Giám đốc Đài Phát thanh và Truyền hình " + self.t,
                    "Giám đốc Sở Văn hóa, Thể thao và Du lịch")),
        ]
        self.province_subcommittees = {}
        for kind, head, members in specs:
            self.province_subcommittees[kind] = subcommittee_create(
                congress=congress, user=self.admin, kind=kind, decision_number=number, decision_date=decided_on,
                head=head, members=members)
        # bithu.xa's commune: its documents subcommittee.
        secretary = self.users["bithu.xa"]
        subcommittee_create(
            congress=self.congress[self.xa.pk], user=secretary, kind=SubcommitteeKind.DOCUMENTS,
            decision_number=f"{rng.randint(30, 90)}-QĐ/ĐU", decision_date=self.day(-40),
            head=Person(self.names.person(), "Bí thư Đảng ủy"),
            members=people("Phó Bí thư Thường trực Đảng ủy", "Chủ tịch Ủy ban nhân dân",
                           "Chánh Văn phòng Đảng ủy"),
        )
        self.summary.append(("subcommittees", f"{len(specs)} of the province's congress "
                                              f"({', '.join(k.value for k, *_ in specs)}), 1 of {self.xa.name}"))

    # -- congress documents --------------------------------------------------------------

    def documents(self) -> None:
        from documents.models import CongressDocument, DocumentKind, DocumentVersion
        from documents.services import (
            document_create,
            drafting_steps_for,
            public_comments_record,
            request_answer,
            round_send,
            step_complete,
            version_upload,
        )

        tu, t, p = self.tu, self.t, self.named.short
        steps = {s.code: s for s in drafting_steps_for(term=self.term)}
        congress = self.congress[self.root.pk]
        ordinal = congress.ordinal or 20
        outgoing = to_roman(max(1, ordinal - 1))
        title = (f"Báo cáo chính trị của Ban Chấp hành Đảng bộ {t} khóa {outgoing} trình Đại hội đại biểu Đảng bộ "
                 f"{t} lần thứ {to_roman(ordinal)}, nhiệm kỳ {self.term.name}")
        report = document_create(congress=congress, kind=DocumentKind.POLITICAL_REPORT, title=title,
                                 user=self.admin)

        def body(version: int) -> list[str]:
            growth = "7,5" if version == 1 else "7,8"
            return [
                f"# Phần thứ nhất: Kết quả thực hiện Nghị quyết Đại hội Đảng bộ {t} nhiệm kỳ 2020–2025",
                f"Tốc độ tăng trưởng kinh tế (GRDP) bình quân đạt khoảng {growth}%/năm; quy mô nền kinh tế năm "
                f"2025 gấp 1,6 lần năm 2020. Thu ngân sách nhà nước trên địa bàn {p} vượt chỉ tiêu đề ra.",
                "Công tác xây dựng Đảng và hệ thống chính trị được chú trọng; việc sắp xếp tổ chức bộ máy, "
                "thực hiện mô hình chính quyền địa phương hai cấp hoàn thành đúng tiến độ.",
                *([] if version == 1 else [
                    "Tiếp thu ý kiến của Ban Chấp hành: bổ sung đánh giá về chuyển đổi số, cải cách hành chính "
                    "và những hạn chế trong thu hút đầu tư vào các xã miền núi.",
                ]),
                f"# Phần thứ hai: Phương hướng, mục tiêu, nhiệm vụ nhiệm kỳ {self.term.name}",
                f"Phấn đấu đến năm 2030 {p} trở thành tỉnh khá của cả nước; tốc độ tăng trưởng GRDP bình quân "
                f"{'9–10' if version == 1 else 'từ 10% trở lên'}/năm.",
                "Ba khâu đột phá: hoàn thiện thể chế và cải cách hành chính; phát triển hạ tầng đồng bộ; phát "
                "triển nguồn nhân lực chất lượng cao gắn với khoa học, công nghệ và đổi mới sáng tạo.",
            ]

        version_upload(document=report, user=self.admin, note="Dự thảo lần 1 do Tiểu ban Văn kiện chuẩn bị.",
                            upload=docx_upload("bao-cao-chinh-tri-du-thao-1.docx", title, body(1)))
        step_complete(document=report, step=steps["outline"], done_on=self.day(-56), user=self.admin,
                      note="Tiểu ban Văn kiện thông qua đề cương chi tiết.")
        step_complete(document=report, step=steps["first_draft"], done_on=self.day(-42), user=self.admin)
        step_complete(document=report, step=steps["committee_comments"], done_on=self.day(-21), user=self.admin,
                      note=f"Hội nghị Ban Chấp hành Đảng bộ {t} cho ý kiến.")
        v2 = version_upload(document=report, user=self.admin,
                            note="Dự thảo lần 2, tiếp thu ý kiến của Ban Chấp hành.",
                            upload=docx_upload("bao-cao-chinh-tri-du-thao-2.docx", title, body(2)))
        step_complete(document=report, step=steps["second_draft"], done_on=self.day(-10), user=self.admin)
        comment_round = round_send(
            version=v2, deadline=self.day(7), user=self.admin, subordinates=True,
            message=(f"Ban Thường vụ {tu} đề nghị các đảng bộ trực thuộc tổ chức thảo luận, góp ý dự thảo Báo cáo "
                     f"chính trị và gửi ý kiến về Văn phòng {tu}."),
        )
        answered = comment_round.recipients.filter(unit=self.xa).get()
        request_answer(request=answered, user=self.users["bithu.xa"],
                       text=("Đảng bộ thống nhất với dự thảo. Đề nghị bổ sung nội dung về phát triển kinh tế "
                             "nông nghiệp gắn với xây dựng nông thôn mới ở các xã sau sắp xếp."))
        public_comments_record(round=comment_round, count=126, source=f"Cổng Thông tin điện tử {t} {p}",
                               summary="Phần lớn ý kiến tán thành; nhiều ý kiến đề nghị làm rõ giải pháp về "
                                       "việc làm cho thanh niên nông thôn.", user=self.admin)
        resolution = document_create(congress=congress, kind=DocumentKind.DRAFT_RESOLUTION, user=self.admin)
        step_complete(document=resolution, step=steps["outline"], done_on=self.day(-14), user=self.admin)

        # bithu.xa's commune: its political report, first draft; its programme, not begun.
        secretary = self.users["bithu.xa"]
        commune = self.congress[self.xa.pk]
        commune_title = f"Báo cáo chính trị trình Đại hội {self.xa.name} lần thứ I, nhiệm kỳ {self.term.name}"
        commune_report = document_create(congress=commune, kind=DocumentKind.POLITICAL_REPORT, title=commune_title,
                                         user=secretary)
        step_complete(document=commune_report, step=steps["outline"], done_on=self.day(-35), user=secretary)
        version_upload(document=commune_report, user=secretary, note="Dự thảo lần 1.", upload=docx_upload(
            "du-thao-bao-cao-chinh-tri.docx", commune_title, [
                "# Phần thứ nhất: Tình hình và kết quả thực hiện nhiệm vụ",
                "Sau sắp xếp, Đảng bộ xã có các chi bộ trực thuộc; công tác ổn định tổ chức bộ máy được thực "
                "hiện khẩn trương, bảo đảm hoạt động thông suốt.",
                f"# Phần thứ hai: Mục tiêu, nhiệm vụ nhiệm kỳ {self.term.name}",
                "Thu nhập bình quân đầu người đến năm 2030 tăng gấp 1,5 lần; giữ vững chuẩn nông thôn mới nâng cao.",
            ]))
        step_complete(document=commune_report, step=steps["first_draft"], done_on=self.day(-18), user=secretary)
        document_create(congress=commune, kind=DocumentKind.PROGRAMME, user=secretary)
        documents = CongressDocument.objects.filter(congress__term=self.term)
        self.summary.append(("documents", f"{documents.count()} congress documents, "
                                          f"{DocumentVersion.objects.filter(document__in=documents).count()} versions "
                                          f"(the province's political report in 2, sent for comments to "
                                          f"{comment_round.recipients.count()} units)"))

    # -- the personnel plan ----------------------------------------------------------------

    # (position, female, ethnicity, age at the congress, re-nominated, bodies)
    NOMINEES = [
        ("Bí thư Đảng ủy xã", False, "Kinh", 52, True, ["executive", "standing", "secretary"]),
        ("Phó Bí thư Thường trực Đảng ủy xã", False, "Kinh", 48, True, ["executive", "standing", "deputy"]),
        ("Phó Bí thư Đảng ủy, Chủ tịch Ủy ban nhân dân xã", False, "Kinh", 45, True,
         ["executive", "standing", "deputy"]),
        ("Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã", True, "Kinh", 50, True,
         ["executive", "standing", "inspection", "inspection_chair"]),
        ("Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam xã", False, "Thái", 54, True, ["executive", "standing"]),
        ("Phó Chủ tịch Ủy ban nhân dân xã", False, "Kinh", 41, True, ["executive"]),
        ("Trưởng Công an xã", False, "Kinh", 38, False, ["executive"]),
        ("Chỉ huy trưởng Ban Chỉ huy Quân sự xã", False, "Kinh", 44, True, ["executive"]),
        ("Chủ tịch Hội Liên hiệp Phụ nữ xã", True, "Kinh", 39, False, ["executive", "inspection"]),
        ("Bí thư Đoàn Thanh niên Cộng sản Hồ Chí Minh xã", False, "Thái", 31, False, ["executive"]),
        ("Trưởng phòng Kinh tế xã", False, "Kinh", 46, True, ["executive"]),
        ("Trưởng phòng Văn hóa – Xã hội xã", True, "Kinh", 42, False, ["executive"]),
        ("Chánh Văn phòng Đảng ủy xã", False, "Kinh", 47, True, ["executive", "inspection"]),
        ("Phó Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã", False, "Kinh", 43, False, ["executive", "inspection"]),
        ("Bí thư Chi bộ xóm, Trưởng xóm", False, "Kinh", 53, False, ["executive", "inspection"]),
    ]
    EDUCATION = ["Đại học Luật", "Thạc sĩ Quản lý kinh tế", "Đại học Kinh tế nông nghiệp", "Đại học Sư phạm",
                 "Đại học Hành chính", "Thạc sĩ Chính trị học"]

    def personnel(self) -> None:
        from personnel.services import nominee_add, plan_create, plan_submit

        rng = self.rng
        secretary = self.users["bithu.xa"]
        congress = self.congress[self.xa.pk]
        day = congress.counts_on  # ages and the young-cadre check are at the congress date
        plan = plan_create(congress=congress, user=secretary, data={
            "executive_seats": 13, "standing_seats": 4, "deputy_seats": 2, "inspection_seats": 5,
            "secretary_elected_directly": True, "planning_reviewed": 42, "planning_added": 9,
        })
        self.nominees = []
        for position, female, ethnicity, age, again, bodies in self.NOMINEES:
            born = day - dt.timedelta(days=round(age * 365.25) + rng.randint(20, 330))
            self.nominees.append(nominee_add(plan=plan, user=secretary, data={
                "full_name": self.names.person(female=female, ethnicity=ethnicity), "date_of_birth": born,
                "gender": "female" if female else "male", "ethnicity": ethnicity,
                "education": rng.choice(self.EDUCATION),
                "political_theory": "Cao cấp" if again and age > 44 else "Trung cấp",
                "current_position": position, "renominated": again, "bodies": bodies,
            }))
        self.plan = plan_submit(plan=plan, user=secretary, comment=(
            f"Kính trình Ban Thường vụ {self.tu} thẩm định phương án nhân sự Ban Chấp hành Đảng bộ xã nhiệm kỳ "
            f"{self.term.name}."))
        self.summary.append(("personnel", f"the plan of {self.xa.name} ({len(self.nominees)} nominees for "
                                          f"{plan.executive_seats} seats), {self.plan.status}"))

    # -- petitions ---------------------------------------------------------------------------

    def petitions(self) -> None:
        from petitions.models import PetitionChannel, PetitionKind, PetitionStatus
        from petitions.services import (
            petition_classify,
            petition_close,
            petition_conclude,
            petition_register,
            petition_verify,
        )

        rng = self.rng
        handler = self.users["kiemtra"]
        some_commune = self.unit(rng.choice([u for u in self.communes
                                             if self.unit(u) not in (self.xa, self.xa2)]))
        cells = [u for u in self.demo_units if u.level == "grassroots" and u.parent.kind in COMMUNE_KINDS
                 and self.unit(u.parent) not in (self.xa, self.xa2)]
        bloc_units = [u for u in self.demo_units if u.level == "grassroots" and u.parent.kind not in COMMUNE_KINDS]
        nominee = next(n for n in self.nominees if n.renominated and "executive" in n.bodies
                       and "secretary" not in n.bodies and "deputy" not in n.bodies)

        def register(unit, days_ago, kind, channel, summary, **extra):
            return petition_register(user=handler, handler=handler, unit=unit, received_on=self.day(-days_ago),
                                     kind=kind, channel=channel, summary=summary, **extra)

        def sender():
            return {"full_name": self.names.person(), "contact": f"09{rng.randint(10000000, 99999999)}",
                    "address": f"xóm {rng.randint(1, 12)}"}

        # Open, about a nominee of bithu.xa's plan: the plan cannot be approved meanwhile.
        register(self.xa, 4, PetitionKind.DENUNCIATION, PetitionChannel.POST, nominee=nominee, summary=(
            "Đơn không ký tên phản ánh một đồng chí được giới thiệu tái cử Ban Chấp hành kê khai tài sản, thu nhập "
            "chưa đầy đủ và xây nhà ở trên đất chưa được chuyển mục đích sử dụng."))
        # Overdue: not classified within the kind's days.
        register(some_commune, 11, PetitionKind.REFLECTION, PetitionChannel.EMAIL, anonymous=False, sender=sender(),
                 summary="Phản ánh việc một số chi bộ chưa tổ chức cho đảng viên thảo luận, góp ý dự thảo văn kiện "
                         "đại hội.")
        # Accepted and being verified, about the personnel of bithu.xa2's commune.
        verifying = register(self.xa2, 16, PetitionKind.COMPLAINT, PetitionChannel.IN_PERSON, anonymous=False,
                             sender=sender(), about_personnel=True, summary=(
                                 "Khiếu nại việc không được giới thiệu vào danh sách nhân sự cấp ủy khóa mới; "
                                 "cho rằng quy trình giới thiệu nhân sự ở bước 2 chưa đúng hướng dẫn."))
        petition_classify(petition=verifying, user=handler, decision=PetitionStatus.ACCEPTED,
                          note="Thuộc thẩm quyền, thụ lý giải quyết.")
        petition_verify(petition=verifying, user=handler, note="Thành lập tổ xác minh, làm việc với Đảng ủy xã.")
        # Concluded, answered and closed.
        closed = register(self.unit(rng.choice(cells)), 45, PetitionKind.PROPOSAL, PetitionChannel.MAILBOX,
                          summary="Kiến nghị bố trí địa điểm tổ chức đại hội chi bộ thuận lợi cho đảng viên cao "
                                  "tuổi.")
        petition_classify(petition=closed, user=handler, decision=PetitionStatus.ACCEPTED)
        petition_verify(petition=closed, user=handler)
        petition_conclude(petition=closed, user=handler, conclusion=(
            "Kiến nghị có cơ sở. Đã đề nghị Đảng ủy xã chỉ đạo chi bộ tổ chức đại hội tại nhà văn hóa xóm."))
        petition_close(petition=closed, user=handler, note="Đã trả lời bằng văn bản.")
        # Not for the party: transferred to the competent body.
        transferred = register(self.unit(rng.choice(bloc_units)), 30, PetitionKind.REFLECTION,
                               PetitionChannel.FORWARDED, summary=(
                                   "Phản ánh tranh chấp hợp đồng lao động tại đơn vị, không liên quan đến công tác "
                                   "đại hội."))
        petition_classify(petition=transferred, user=handler, decision=PetitionStatus.TRANSFERRED,
                          transferred_to=f"Thanh tra {self.t} {self.named.short}")
        self.summary.append(("petitions", f"5 cases for kiemtra (3 open: 1 about a nominee, 1 overdue, 1 being "
                                          "verified; 1 closed, 1 transferred)"))

    # -- the quarterly briefing ------------------------------------------------------------

    DIFFICULTIES = [
        ("personnel", "Khó khăn trong bố trí cán bộ trẻ, cán bộ nữ đủ tiêu chuẩn tham gia cấp ủy sau sắp xếp."),
        ("facilities", "Trụ sở sau sáp nhập chưa có hội trường đủ sức chứa để tổ chức đại hội."),
        ("documents", "Một số chi bộ chậm tổng hợp ý kiến góp ý dự thảo văn kiện."),
        ("organisation", "Địa bàn rộng, giao thông đi lại khó khăn vào mùa mưa lũ."),
        ("personnel", "Số lượng đảng viên ở một số chi bộ ít, khó bảo đảm cơ cấu cấp ủy."),
    ]
    PROPOSALS = [
        ("facilities", "Đề nghị tỉnh hỗ trợ kinh phí tổ chức đại hội cho các xã mới thành lập sau sắp xếp."),
        ("personnel", "Đề nghị Ban Tổ chức Tỉnh ủy sớm có văn bản hướng dẫn về cơ cấu cấp ủy đối với xã mới hợp "
                      "nhất."),
        ("documents", "Đề nghị cung cấp đề cương mẫu báo cáo chính trị cấp xã."),
        ("propaganda", "Đề nghị hỗ trợ tài liệu tuyên truyền về đại hội cho các bản vùng cao."),
    ]

    def briefing(self) -> None:
        from briefings.models import ProposalStatus
        from briefings.services import (
            difficulty_add,
            proposal_add,
            proposal_answer,
            report_open,
            report_submit,
            report_update,
        )

        rng, q = self.rng, self.quarter
        others = [self.unit(u) for u in rng.sample(
            [u for u in self.communes if self.unit(u) not in (self.xa, self.xa2)], 7)]
        filing = [self.xa, *others[:6]]  # submitted
        drafts = [self.xa2, others[6]]  # opened, not submitted
        label = f"quý {ROMAN_QUARTER[q.quarter]}/{q.year}"  # in the reports' text
        reports = {}
        for unit in filing + drafts:
            user = self.users["bithu.xa"] if unit == self.xa else self.users["bithu.xa2"] if unit == self.xa2 \
                else self.admin
            report = report_open(unit=unit, quarter=q, user=user, today=self.today)
            report_update(report=report, user=user, summary=(
                f"Trong {label}, Đảng bộ tập trung chuẩn bị đại hội: hoàn thành đại hội điểm ở các chi bộ, "
                f"dự thảo văn kiện, rà soát quy hoạch cán bộ."))
            for theme, text in rng.sample(self.DIFFICULTIES, rng.randint(1, 2)):
                difficulty_add(report=report, user=user, theme=theme, text=text)
            for theme, text in rng.sample(self.PROPOSALS, rng.randint(1, 2)):
                proposal_add(report=report, user=user, theme=theme, text=text)
            if unit in filing:
                report = report_submit(report=report, user=user, today=self.today)
            reports[unit.pk] = report
        # The province answers bithu.xa's first proposal and forwards another unit's.
        first = reports[self.xa.pk].proposals.order_by("pk").first()
        proposal_answer(proposal=first, user=self.admin, status=ProposalStatus.ANSWERED, answer=(
            f"Thường trực {self.tu} đồng ý; giao Ban Tổ chức {self.tu} hướng dẫn cụ thể trong tháng."))
        forwarded = reports[others[0].pk].proposals.order_by("pk").first()
        proposal_answer(proposal=forwarded, user=self.admin, status=ProposalStatus.FORWARDED,
                        forwarded_to=f"Sở Tài chính {self.t} {self.named.short}",
                        answer="Chuyển Sở Tài chính xem xét, tham mưu.")
        communes = len(self.communes)
        self.summary.append(("briefing", f"Q{q.quarter}/{q.year}: {len(filing)} reports submitted, "
                                         f"{len(drafts)} drafts, {communes - len(filing) - len(drafts)} communes "
                                         "not filed; 2 proposals answered"))

    # -- the conclusion of the briefing ----------------------------------------------------

    def conclusion(self) -> None:
        from conclusions.models import BodyKind, ConcernKind, MeetingKind
        from congresses.models import SubcommitteeKind
        from conclusions.services import TaskSpec, conclusion_record, task_close, task_report

        q, tu, held = self.quarter, self.tu, self.briefing_on
        label = f"quý {ROMAN_QUARTER[q.quarter]}/{q.year}"
        b = self.bodies
        xa_congress = self.congress[self.xa.pk]
        specs = [
            TaskSpec(body=b[BodyKind.ORGANISATION], next_quarter=True, concerns=ConcernKind.UNIT,
                     concerns_unit=self.xa,
                     what="Thẩm định phương án nhân sự cấp ủy của các đảng bộ xã, phường tổ chức đại hội thí "
                          f"điểm; báo cáo Ban Thường vụ {tu} trước khi các đảng bộ tổ chức đại hội."),
            TaskSpec(body=b[BodyKind.ORGANISATION], due_date=held + dt.timedelta(days=14),
                     what="Ban hành hướng dẫn về cơ cấu, số lượng cấp ủy viên và tỷ lệ cán bộ trẻ, cán bộ nữ trong "
                          "cấp ủy các xã, phường sau sắp xếp."),
            TaskSpec(body=b[BodyKind.PROPAGANDA], next_quarter=True,
                     what="Đẩy mạnh tuyên truyền về đại hội đảng bộ các cấp; tổng hợp ý kiến của nhân dân góp ý "
                          "dự thảo văn kiện."),
            TaskSpec(body=b[BodyKind.INSPECTION], due_date=max(held, xa_congress.counts_on - dt.timedelta(days=5)),
                     concerns=ConcernKind.PETITIONS, concerns_unit=self.xa,
                     what="Giải quyết dứt điểm đơn thư liên quan đến nhân sự đại hội trước khi đảng bộ tổ chức "
                          "đại hội."),
            TaskSpec(subcommittee=self.province_subcommittees[SubcommitteeKind.DOCUMENTS], next_quarter=True,
                     what="Hoàn thiện dự thảo Báo cáo chính trị, tiếp thu ý kiến góp ý của các đảng bộ trực thuộc "
                          "và của nhân dân."),
            TaskSpec(unit=self.xa2, due_date=max(held, self.day(-1)), concerns=ConcernKind.CONGRESS,
                     concerns_unit=self.xa2,
                     what="Khẩn trương hoàn thành các bước chuẩn bị đại hội còn chậm so với kế hoạch."),
        ]
        conclusion = conclusion_record(
            unit=self.root, kind=MeetingKind.BRIEFING, held_on=held, year=q.year, quarter=q.quarter,
            chair_name=f"đồng chí {self.leaders.standing_deputy}, Phó Bí thư Thường trực {tu}", user=self.admin,
            text=(f"Thường trực {tu} giao ban công tác chuẩn bị đại hội đảng bộ các cấp {label}. Cơ bản các đảng "
                  "bộ đã triển khai đúng kế hoạch; đại hội thí điểm cấp cơ sở thành công. Đề nghị các cơ quan "
                  "tham mưu và các đảng bộ trực thuộc tập trung các nhiệm vụ sau."),
            tasks=specs,
        )
        tasks = list(conclusion.tasks.order_by("order"))
        member = self.users["bantochuc"]
        task_report(task=tasks[0], user=member, text=(
            "Đã thẩm định phương án nhân sự của 2/3 đảng bộ tổ chức đại hội thí điểm; đang làm việc với đảng bộ "
            "còn lại."))
        task_close(task=tasks[1], user=member, done_on=min(self.today, held + dt.timedelta(days=12)),
                   text=f"Đã ban hành hướng dẫn của Ban Tổ chức {tu} và gửi các đảng bộ trực thuộc.")
        self.summary.append(("conclusions", f"the briefing of Q{q.quarter}/{q.year} ({held:%d/%m/%Y}) with "
                                            f"{len(tasks)} tasks "
                                            "(1 with a progress report, 1 closed)"))


def load(*, root, term, users, demo_units, units, rng, today, named) -> list[tuple[str, str]]:
    """Load the second half of the demo; returns the summary lines (label, text)."""
    return DemoMore(root=root, term=term, users=users, demo_units=demo_units, units=units, rng=rng, today=today,
                    named=named).load()
