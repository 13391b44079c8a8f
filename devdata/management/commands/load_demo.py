"""`manage.py load_demo`: a real province with live-looking congress preparation.

The tree comes from the PyPI package `vietnam-provinces` (the post-2025 two-tier map): the
province committee; every commune, ward and special zone party committee and the usual
bloc committees at the upper-grassroots level; grassroots units under them; a few
sub-grassroots cells. Then the 2025–2030 term with its guiding documents, level deadlines
and the default plan, one congress per unit with varied, deterministic progress, and the
demo users, one per role. Then the rest of the product (devdata.demo_more): a working
group, subcommittees, congress documents, a personnel plan, petitions, last quarter's
briefing, the province's boards and a conclusion with its tasks. The units and the
congresses are written by the services (`import_units`, the bulk congress services), the
same paths as real imports and edits, and so is the rest, so the audit history and the
roll-ups are right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.test.utils import override_settings
from django.utils import timezone, translation

from core.commands import english_output
from devdata import demo_more, shapes
from devdata.shapes import BLOCS, BOTTOM_UP_GAP, COMMUNE_KINDS, DEMO_SEASON as SEASON

DEMO_PASSWORD = "demo12345"
DEFAULT_PROVINCE = 40  # Nghệ An
TERM_NAME = "2025–2030"
# Codes of demo units: "T40", "T40-X17329", "T40-X17329-03", "T40-UB-07-02"…
DEMO_CODE = re.compile(r"^T\d{2}(-[A-Z0-9]+)*$")

# Congress dates and level deadlines, in days from today (the day the demo is loaded):
# devdata.shapes.DEMO_SEASON.
CREATED_DAYS_AGO = 135  # when the term and the congresses were set up (history dates)


def _days(window: tuple[int, int]) -> str:
    return "…".join(f"today{d:+d}" for d in window)


HELP = f"""Load a demo province: the unit tree of a real province (PyPI `vietnam-provinces`;
default Nghệ An, code {DEFAULT_PROVINCE}), the {TERM_NAME} term with Chỉ thị 45-CT/TW and a
provincial plan, level deadlines, the default plan, one congress per unit with varied
progress (deterministic for a --seed), and demo users (password {DEMO_PASSWORD}). Then a
working group following communes, the province's subcommittees and political report, a
commune's personnel plan submitted to the province, petitions, last quarter's briefing
reports and conclusion with tasks for the province's boards: a login for every role.

Dates are anchored on TODAY, the day the command runs, so the demo always shows live
progress: sub-grassroots congresses {_days(SEASON.windows["sub"])}, grassroots {_days(SEASON.windows["grassroots"])},
communes and blocs {_days(SEASON.windows["upper"])} (a few pilot congresses {_days(SEASON.pilot_windows["upper"])}),
the province around today+{SEASON.windows["province"][0]}; each level's deadline a bit after its window.
Milestones due in the past are mostly done (some late, in progress or blocked); congresses
dated in the past are mostly held, a few postponed.

Does nothing when the database already holds units or a term. --force replaces the data
of an earlier demo load, and refuses when the database holds anything else."""


# ---------------------------------------------------------------------------------------
# Names


def _read_bloc_units(path: Path) -> dict[str, list[tuple[str, str]]]:
    """The grassroots units of each bloc, from devdata/demo_units.txt: bloc key ->
    [(name template, kind of its sub-grassroots cells or "")]."""
    pools: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = pools.setdefault(line[1:-1], [])
        else:
            name, _, sub_pool = line.partition(" | ")
            current.append((name, sub_pool))
    return pools


BLOC_UNITS = _read_bloc_units(Path(__file__).resolve().parents[2] / "demo_units.txt")

SUB_POOLS = {
    "dept": ["Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch – Tài chính", "Thanh tra", "Phòng Nghiệp vụ 1",
             "Phòng Nghiệp vụ 2", "Phòng Pháp chế", "Phòng Quản lý chuyên ngành", "Trung tâm trực thuộc"],
    "hospital": ["Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Xét nghiệm",
                 "Khoa Chẩn đoán hình ảnh", "Khoa Dược", "Phòng Hành chính – Quản trị"],
    "school": ["Khoa Lý luận cơ sở", "Khoa Xây dựng Đảng", "Khoa Nhà nước và pháp luật", "Phòng Đào tạo",
               "Phòng Tổ chức – Hành chính", "Khoa Cơ khí", "Khoa Điện", "Khoa Công nghệ thông tin"],
    "press": ["Phòng Thời sự", "Phòng Chuyên đề", "Phòng Kỹ thuật", "Phòng Biên tập", "Phòng Hành chính – Trị sự"],
    "court": ["Văn phòng", "Tòa Hình sự", "Tòa Dân sự", "Tòa Hành chính", "Phòng Kiểm sát", "Phòng Tổ chức cán bộ"],
    "company": ["Phòng Kỹ thuật", "Phòng Kinh doanh", "Đội Quản lý vận hành lưới điện 1",
                "Đội Quản lý vận hành lưới điện 2", "Văn phòng"],
    "army": ["Ban Tác chiến", "Ban Quân lực", "Ban Tuyên huấn", "Đại đội 1", "Đại đội 2", "Đại đội 3",
             "Ban Cán bộ", "Ban Hậu cần"],
    "police": ["Đội Tổng hợp", "Đội 1", "Đội 2", "Đội 3", "Đội 4", "Đội Điều tra", "Đội Tuần tra"],
}
COMMUNE_AGENCY_CELLS = [
    "Chi bộ Cơ quan Đảng – Mặt trận – đoàn thể {x}", "Chi bộ Cơ quan Ủy ban nhân dân {x}",
    "Chi bộ Quân sự {x}", "Chi bộ Công an {x}", "Chi bộ Trường THCS {n}", "Chi bộ Trường Tiểu học {n}",
    "Chi bộ Trạm Y tế {x}",
]
VILLAGE_CELL = tuple(f"Chi bộ {w} " for w in ("xóm", "thôn", "bản", "khối", "tổ dân phố", "khu phố"))
VILLAGE_NAMES = ["Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Yên Thịnh", "Tân Hợp", "Hòa Bình",
                 "Đồng Tâm", "Quyết Thắng", "Xuân Sơn", "Phú Lợi", "Tân Lập", "Minh Khai", "Thắng Lợi",
                 "Hồng Sơn", "Kim Liên", "Đại Đồng", "Phúc Thọ", "Nam Sơn"]
POSTPONE_NOTES = [
    "Hoãn để hoàn thiện phương án nhân sự theo ý kiến của cấp trên.",
    "Hoãn chờ giải quyết dứt điểm đơn thư liên quan đến nhân sự dự kiến.",
    "Hoãn do ảnh hưởng của mưa lũ, sẽ đăng ký lại thời gian.",
]
# Why a step is blocked, by step: only steps that wait on someone else block.
BLOCKED_NOTES = {
    "drafts": ["Chờ hướng dẫn của cấp trên về nội dung văn kiện."],
    "comments": ["Chờ ý kiến góp ý của cấp trên vào dự thảo văn kiện."],
    "personnel": ["Chưa thống nhất phương án nhân sự.", "Chờ hướng dẫn bổ sung về cơ cấu cấp ủy."],
    "petitions": ["Có đơn thư liên quan đến nhân sự, đang xác minh."],
    "approval": ["Chờ ý kiến thẩm định của cấp trên.", "Cấp trên yêu cầu bổ sung hồ sơ nhân sự."],
}
LATE_NOTES = {
    "plan": ["Đang hoàn thiện dự thảo kế hoạch."],
    "subcommittees": ["Đang dự kiến thành phần các tiểu ban."],
    "drafts": ["Đang hoàn thiện dự thảo báo cáo chính trị."],
    "comments": ["Đang tổng hợp ý kiến góp ý."],
    "personnel": ["Đang hoàn thiện đề án nhân sự."],
    "petitions": ["Đang xác minh, sẽ có kết luận trong tuần."],
    "approval": ["Đã gửi hồ sơ, chờ cấp trên cho ý kiến."],
    "report": ["Đang tổng hợp kết quả đại hội."],
}
# Evidence numbers: a document kind per step; "approval" is the superior's document.
EVIDENCE_KIND = {
    "plan": "KH", "subcommittees": "QĐ", "register": "CV", "drafts": "BC", "comments": "BC",
    "personnel": "TTr", "subordinates": "BC", "petitions": "BC", "approval": "CV", "report": "BC",
}


# ---------------------------------------------------------------------------------------
# The tree


@dataclass
class DemoUnit:
    code: str
    name: str
    level: str
    kind: str
    parent: DemoUnit | None = None
    suffix: str = "ĐU"  # the unit's documents: 05-KH/ĐU, 03-KH/CB, 120-KH/TU
    pilot: bool = False
    children: list[DemoUnit] = field(default_factory=list)
    day: int = 0  # congress date, days from today


def build_tree(province, wards, rng: random.Random) -> list[DemoUnit]:
    """Every demo unit, parents before children."""
    named = shapes.province_name(province.name)
    pc = f"T{int(province.code):02d}"
    units: list[DemoUnit] = []

    def add(code, name, level, kind, parent=None, suffix=None) -> DemoUnit:
        if suffix is None:
            suffix = "CB" if name.startswith("Chi bộ") else "ĐU"
        unit = DemoUnit(code=code, name=name, level=level, kind=kind, parent=parent, suffix=suffix)
        if parent is not None:
            parent.children.append(unit)
        units.append(unit)
        return unit

    root = add(pc, named.committee, "province", named.kind, suffix="TU")

    communes = sorted(wards, key=lambda w: int(w.code))
    for ward in communes:
        division = ward.division_type.value  # "xã", "phường", "đặc khu"
        name = shapes.place_name(ward.name)
        kind = shapes.commune_kind(division)
        commune = add(f"{pc}-X{int(ward.code)}", shapes.commune_committee_name(ward.name), "upper", kind, root)
        x = f"{division} {name}"
        n_cells = rng.randint(3, 8)
        agencies = rng.sample(COMMUNE_AGENCY_CELLS, rng.randint(1, min(3, n_cells - 1)))
        if kind == "ward":
            word = rng.choice(["khối", "tổ dân phố", "khu phố"])
        else:
            word = rng.choices(["xóm", "thôn", "bản"], weights=[5, 4, 2])[0]
        villages = rng.sample(VILLAGE_NAMES, n_cells) if rng.random() < 0.35 else None
        names = [a.format(x=x, n=name) for a in agencies]
        for i in range(n_cells - len(agencies)):
            names.append(f"Chi bộ {word} {villages[i] if villages else i + 1}")
        for i, cell_name in enumerate(names, start=1):
            add(f"{commune.code}-{i:02d}", cell_name, "grassroots", shapes.CELL_KIND, commune)

    border_posts = [
        (f"Đảng bộ Đồn Biên phòng {shapes.place_name(w.name)}", "army")
        for w in rng.sample(communes, min(12, len(communes)))
    ]
    pools = {**BLOC_UNITS, "BP": BLOC_UNITS["BP"] + border_posts}
    for b in BLOCS:
        pool = pools[b.key]
        bloc = add(f"{pc}-{b.key}", b.name_in(named), "upper", b.kind, root)
        chosen = rng.sample(pool, rng.randint(min(15, len(pool)), min(40, len(pool))))
        chosen.sort(key=lambda item: pool.index(item))
        committees = []
        for i, (template, sub_pool) in enumerate(chosen, start=1):
            name = named.format(template)
            unit = add(f"{bloc.code}-{i:02d}", name, "grassroots", shapes.grassroots_kind(name), bloc)
            if sub_pool:
                committees.append((unit, sub_pool))
        # Sub-grassroots cells under a few grassroots party committees.
        for unit, sub_pool in rng.sample(committees, min(len(committees), rng.randint(2, 4))):
            for j, sub in enumerate(rng.sample(SUB_POOLS[sub_pool], rng.randint(3, min(8, len(SUB_POOLS[sub_pool])))), start=1):
                add(f"{unit.code}-{j:02d}", f"Chi bộ {sub}", "sub", shapes.CELL_KIND, unit)
    return units


def schedule(root: DemoUnit, rng: random.Random) -> None:
    """Congress dates, bottom-up: each unit a few days after all its subordinates."""
    root.day = SEASON.windows["province"][0]
    uppers = root.children
    communes = [u for u in uppers if u.kind in ("commune", "ward")]
    pilots = []
    for kind in ("commune", "ward"):
        pool = [u for u in communes if u.kind == kind]
        pilots += rng.sample(pool, min(len(pool), 2 if kind == "commune" else 1))
    pilots += [u for u in uppers if u.code.endswith(f"-{BLOCS[0].key}")]  # the party agencies' bloc leads
    for unit in pilots:
        unit.pilot = True

    def place(unit: DemoUnit, lo: int, hi: int) -> None:
        hi = min(hi, unit.parent.day - BOTTOM_UP_GAP)
        unit.day = rng.randint(min(lo, hi - 7), hi)
        for child in unit.children:
            place(child, *SEASON.window(child.level))

    for upper in uppers:
        place(upper, *SEASON.window(upper.level, pilot=upper.pilot))
    # One grassroots pilot per bloc: its earliest grassroots congress.
    for bloc in (u for u in uppers if u.kind not in COMMUNE_KINDS):
        if bloc.children:
            first = min(bloc.children, key=lambda u: u.day)
            first.pilot = True


# ---------------------------------------------------------------------------------------
# The command


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the paragraphs of the help text."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--province", default=str(DEFAULT_PROVINCE),
                            help="Province code (e.g. 40) or name (e.g. 'Hà Tĩnh', ha_tinh). Default: Nghệ An.")
        parser.add_argument("--seed", type=int, default=shapes.DEMO_SEED,
                            help=f"Random seed of the progress (default {shapes.DEMO_SEED}).")
        parser.add_argument("--force", action="store_true",
                            help="Replace the data of an earlier demo load (refuses if other data exists).")
        parser.add_argument("--password", default=DEMO_PASSWORD, help=f"Password of the demo users (default {DEMO_PASSWORD}).")
        parser.add_argument("--logins", action="store_true",
                            help="Only print the demo users present in the database, with the demo password.")

    @english_output
    def handle(self, *args, **options):
        from congresses.models import Term
        from committees.models import Unit

        if options["logins"]:
            self._logins(options["password"])
            return
        started = time.perf_counter()
        province = self._province(options["province"])
        if Unit.objects.exists() or Term.objects.exists():
            if not options["force"]:
                current = Term.objects.filter(is_current=True).first()
                self.stdout.write(
                    f"The database already holds data ({Unit.objects.count()} units"
                    + (f", current term {current}" if current else "")
                    + "): nothing loaded. `load_demo --force` replaces an earlier demo load."
                )
                return
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            if options["force"]:
                self._wipe_demo()
            summary = self._load(province, options["seed"], options["password"])
        elapsed = time.perf_counter() - started
        self._report(summary, options["password"], elapsed)
        self._reminders()

    def _reminders(self) -> None:
        """Fill the notification centre of a fresh demo with what beat's scans would write:
        today's reminders, and the weekly digest of the provincial viewer (written now, not
        on the policy's weekday, so the demo shows one)."""
        from django.apps import apps

        if not apps.is_installed("reminders"):
            return
        from reminders.models import Kind
        from reminders.services import reminders_scan

        for kind in (Kind.DAILY, Kind.WEEKLY):
            result = reminders_scan(kind=kind, source="demo")
            self.stdout.write(f"Reminders ({kind}): {result.deliveries} messages, {result.items} lines.")

    # -- choosing the province ----------------------------------------------------------

    def _province(self, wanted: str):
        from vietnam_provinces import Province

        provinces = list(Province.iter_all())
        wanted_norm = wanted.strip().lower()
        for p in provinces:
            if wanted_norm.isdecimal() and int(p.code) == int(wanted_norm):
                return p
            if wanted_norm in (p.codename, p.name.lower(), p.name.lower().removeprefix("thành phố ")):
                return p
        choices = ", ".join(f"{int(p.code)} {p.name}" for p in provinces)
        raise CommandError(f"Unknown province “{wanted}”. Choose a code or name among: {choices}")

    # -- --force ---------------------------------------------------------------------------

    def _wipe_demo(self) -> None:
        """Delete an earlier demo load, only when everything in the database came from one.

        Once the units, terms and users are all the demo's, so is everything that refers to
        them (working groups, plans, petitions, conclusions…, written on demo units by demo
        users): each deletion first deletes the rows that protect what it deletes
        (`_purge`), whatever app they belong to. Rows that refer to nothing of the demo
        (the default composition targets of a migration, the petition deadlines an
        administrator set) stay. No "deleted" history rows are written, and the history of
        the deleted rows goes with them; their files are removed once the load commits."""
        from accounts.models import User
        from committees.models import Unit
        from congresses.models import Congress, Milestone, Term
        from documents.models import Document

        foreign_units = [c for c in Unit.objects.values_list("code", flat=True) if not DEMO_CODE.match(c)]
        foreign_terms = list(Term.objects.exclude(name=TERM_NAME).values_list("name", flat=True))
        foreign_users = list(User.objects.exclude(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if foreign_units or foreign_terms or foreign_users:
            raise CommandError(
                "--force only replaces an earlier demo load, and this database holds other data "
                f"(units {foreign_units[:5]}, terms {foreign_terms[:5]}, users {foreign_users[:5]}). "
                "Nothing was deleted."
            )
        files = _stored_files()
        try:
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                _purge(Milestone.objects.all())
                _purge(Congress.objects.all())
                terms = Term.objects.all()
                _purge(Document.objects.filter(terms__in=terms))
                _purge(terms)
                # Before the users: their history rows would otherwise be updated (the
                # history user set to NULL) only to be deleted.
                _drop_orphan_history()
                _purge(User.objects.filter(username__in=DEMO_USERNAMES))
                for depth in sorted(set(Unit.objects.values_list("depth", flat=True)), reverse=True):
                    _purge(Unit.objects.filter(depth=depth))
            _drop_orphan_history()
        except (ProtectedError, RestrictedError) as exc:
            raise CommandError(
                f"--force cannot delete the earlier demo data: other records refer to it ({exc.args[0]}). "
                "Nothing was deleted."
            ) from exc
        kept = _stored_files()
        gone = {name: storage for name, storage in files.items() if name not in kept}

        def delete_files():
            for name, storage in gone.items():
                storage.delete(name)

        transaction.on_commit(delete_files)
        self.stdout.write("Deleted the earlier demo data.")

    # -- loading ---------------------------------------------------------------------------

    def _load(self, province, seed: int, password: str) -> dict:
        from vietnam_provinces import Ward

        from committees.importing import Row, import_units
        from committees.models import Unit

        rng = shapes.seeded(seed)
        today = timezone.localdate()
        wards = [w for w in Ward.iter_all() if int(w.province_code) == int(province.code)]
        demo_units = build_tree(province, wards, rng)
        root = demo_units[0]
        schedule(root, rng)

        t0 = time.perf_counter()
        rows = [
            Row(line=i, code=u.code, parent_code=u.parent.code if u.parent else "", name=u.name, level=u.level, kind=u.kind)
            for i, u in enumerate(demo_units, start=2)
        ]
        report = import_units(rows)
        if not report.ok:
            raise CommandError("The demo tree did not import: " + "; ".join(str(e) for e in report.errors[:10]))
        units = {u.code: u for u in Unit.objects.all()}
        timings = {"units": time.perf_counter() - t0}

        t0 = time.perf_counter()
        term = self._term(province, root, today)
        users = self._users(root, demo_units, units, password, rng)
        timings["term, plan, users"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        progress = Progress(term=term, today=today, rng=rng, demo_units=demo_units, units=units, users=users)
        progress.create_congresses()
        timings["congresses"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        changed = progress.record()
        timings["progress"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        more = demo_more.load(root=units[root.code], term=term, users=users, demo_units=demo_units, units=units,
                              rng=rng, today=today, named=shapes.province_name(province.name))
        timings["working groups … conclusions"] = time.perf_counter() - t0
        return {
            "province": province, "root": units[root.code], "term": term, "users": users,
            "units": len(demo_units), "by_level": _count_levels(demo_units), "changed": changed,
            "timings": timings, "today": today, "seed": seed, "more": more,
        }

    def _term(self, province, root: DemoUnit, today: dt.date):
        from congresses.models import LevelDeadline, Term
        from congresses.services import plan_apply_default
        from documents.models import Document

        named = shapes.province_name(province.name)
        directive, _ = Document.objects.get_or_create(
            number="45-CT/TW", issued_on=dt.date(2025, 4, 14),
            defaults={
                "title": "Chỉ thị của Bộ Chính trị về đại hội đảng bộ các cấp tiến tới "
                         "Đại hội đại biểu toàn quốc lần thứ XIV của Đảng",
                "issuer": "Bộ Chính trị",
            },
        )
        plan_date = today - dt.timedelta(days=CREATED_DAYS_AGO + 5)
        plan, _ = Document.objects.get_or_create(
            number=f"{(int(province.code) * 7) % 90 + 10}-KH/TU", issued_on=plan_date,
            defaults={
                "title": f"Kế hoạch tổ chức đại hội đảng bộ các cấp tiến tới Đại hội đại biểu Đảng bộ "
                         f"{named.t} {named.short} nhiệm kỳ {TERM_NAME}",
                "issuer": named.format("Ban Thường vụ {tu} {p}"),
            },
        )
        term = Term.objects.create(name=TERM_NAME, start_year=2025, end_year=2030, is_current=True)
        term.guiding_documents.set([directive, plan])
        for level, days in SEASON.deadlines.items():
            LevelDeadline.objects.create(term=term, level=level, deadline=today + dt.timedelta(days=days))
        plan_apply_default(term=term)
        return term

    def _users(self, root: DemoUnit, demo_units, units, password: str, rng: random.Random) -> dict:
        from accounts.models import Role, User
        from accounts.services import grant_add

        # bithu.xa: a commune (a pilot if possible) with a village cell whose congress is
        # still ahead, for bithu.chibo: the secretaries' busiest time. bithu.xa2: another.
        communes = sorted((u for u in root.children if u.kind == "commune"), key=lambda u: (not u.pilot, u.code))

        def upcoming_villages(commune):
            return [c for c in commune.children if c.name.startswith(VILLAGE_CELL) and c.day >= 0]

        xa = next((c for c in communes if upcoming_villages(c)), communes[0])
        chibo = min(upcoming_villages(xa) or xa.children, key=lambda c: (abs(c.day - 10), c.code))
        xa2 = rng.choice([u for u in communes if not u.pilot and u is not xa])

        def make(username, full_name, role=None, unit=None, **extra):
            user = User(username=username, full_name=full_name, **extra)
            user.set_password(password)
            user.full_clean(exclude=["password"])
            user.save()
            if role is not None:
                grant_add(user=user, role=role, unit=units[unit.code] if unit else None)
            return user

        tu = "Thành ủy" if "thành phố" in root.name else "Tỉnh ủy"
        return {
            "admin": make("admin", "Quản trị hệ thống", Role.ADMIN, is_staff=True, is_superuser=True),
            "tinhuy": make("tinhuy", f"Văn phòng {tu}", Role.VIEWER, root),
            "bithu.xa": make("bithu.xa", f"Bí thư {xa.name}", Role.SECRETARY, xa),
            "bithu.chibo": make("bithu.chibo", f"Bí thư {chibo.name}", Role.SECRETARY, chibo),
            "bithu.xa2": make("bithu.xa2", f"Bí thư {xa2.name}", Role.SECRETARY, xa2),
            # The second half of the demo (devdata.demo_more). The petition handler's grant
            # is an administrator's; the other two get theirs from the services that own
            # them: following communes (workgroups), sitting on a board (conclusions).
            "kiemtra": make("kiemtra", f"Ủy ban Kiểm tra {tu}", Role.HANDLES_PETITIONS, root),
            "togiup": make("togiup", demo_more.FOLLOWER_NAME),
            "bantochuc": make("bantochuc", demo_more.BOARD_MEMBER_NAME),
        }

    # -- output ----------------------------------------------------------------------------

    def _report(self, s: dict, password: str, elapsed: float) -> None:
        from congresses.models import Congress, Milestone

        term = s["term"]
        congresses = Congress.objects.filter(term=term)
        milestones = Milestone.objects.filter(congress__term=term)
        held = congresses.filter(status="held").count()
        done = milestones.filter(status="done").count()
        levels = ", ".join(f"{n} {level}" for level, n in s["by_level"].items())
        out = self.stdout.write
        out(self.style.SUCCESS(
            f"Loaded {s['root'].name} ({s['province'].name}, seed {s['seed']}, dates anchored on "
            f"{s['today']:%d/%m/%Y}) in {elapsed:.1f} s."
        ))
        out(f"  units:      {s['units']} ({levels})")
        out(f"  term:       {term} (current), guiding documents "
            + ", ".join(str(d) for d in term.guiding_documents.all()))
        out(f"  congresses: {congresses.count()} ({held} held, "
            f"{congresses.filter(status='postponed').count()} postponed, "
            f"{congresses.filter(is_pilot=True).count()} pilot, "
            f"{congresses.filter(registered_on__isnull=False).count()} registered)")
        out(f"  milestones: {milestones.count()} ({done} done, "
            f"{milestones.exclude(status='done').filter(due_date__lt=s['today']).count()} overdue)")
        for label, text in s["more"]:
            out(f"  {(label + ':').ljust(11)} {text}")
        out("  timings:    " + ", ".join(f"{k} {v:.1f} s" for k, v in s["timings"].items()))
        out("")
        self._table(list(s["users"].values()), password)

    def _logins(self, password: str) -> None:
        from accounts.models import User

        users = sorted(User.objects.filter(username__in=DEMO_USERNAMES).prefetch_related("grants__unit"),
                       key=lambda u: DEMO_USERNAMES.index(u.username))
        if users:
            self._table(users, password)
        else:
            self.stdout.write(
                "  (no demo users: this database was not filled by load_demo. For the demo, start from an "
                "empty database: a new DATABASE_URL, or move var/portal.sqlite3 away)"
            )

    def _table(self, users, password: str) -> None:
        rows = [("username", "password", "role", "unit")]
        for user in users:
            role = user.scope.role_labels + (" (superuser)" if user.is_superuser else "")
            unit = ", ".join(g.unit.name for g in user.grants.all() if g.unit_id) or "—"
            rows.append((user.username, password, role, unit))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for i, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))


# ---------------------------------------------------------------------------------------
# --force: deleting an earlier demo load

PURGE_DEPTH = 12  # rows protecting rows protecting… the rows to delete: far more than the apps chain


def _purge(queryset, depth: int = 0) -> None:
    """Delete `queryset`'s rows, after the rows that protect them (PROTECT or RESTRICT
    foreign keys), recursively: a working group before the term it belongs to, its members
    before the group. Only for --force, once the demo check has passed."""
    for _attempt in range(PURGE_DEPTH):
        try:
            with transaction.atomic():  # a savepoint: a refused delete has written nothing
                queryset.delete()
            return
        except (ProtectedError, RestrictedError) as exc:
            if depth >= PURGE_DEPTH:
                raise
            blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
            by_model: dict[type, set] = defaultdict(set)
            for obj in blocking:
                by_model[type(obj)].add(obj.pk)
            for model, pks in by_model.items():
                _purge(model._base_manager.filter(pk__in=pks), depth + 1)
    queryset.delete()  # raises what still protects it


def _drop_orphan_history() -> None:
    """Delete the history rows (simple_history) of rows that no longer exist."""
    from django.apps import apps
    from simple_history.utils import get_app_model_primary_key_name, get_history_model_for_model

    for model in apps.get_models():
        if not hasattr(model._meta, "simple_history_manager_attribute"):
            continue
        pk = get_app_model_primary_key_name(model)
        get_history_model_for_model(model).objects.exclude(
            **{f"{pk}__in": model._base_manager.values("pk")}).delete()


def _stored_files() -> dict:
    """Every file the database names: {name: storage}."""
    from django.apps import apps
    from django.db.models import FileField

    found = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, FileField):
                for name in model._base_manager.exclude(**{f.attname: ""}).values_list(f.attname, flat=True):
                    if name:
                        found[name] = f.storage
    return found


DEMO_USERNAMES = ["admin", "tinhuy", "bithu.xa", "bithu.chibo", "bithu.xa2", "kiemtra", "togiup", "bantochuc"]


def _count_levels(units: list[DemoUnit]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for u in units:
        counts[u.level] += 1
    return dict(counts)


# ---------------------------------------------------------------------------------------
# Congresses and progress


class Progress:
    """Creates the congresses and plays their preparation up to today, deterministically
    for a seed: what a province looks like in the middle of its congress season."""

    def __init__(self, *, term, today, rng, demo_units, units, users):
        self.term, self.today, self.rng = term, today, rng
        self.demo_units, self.units, self.users = demo_units, units, users
        self.created_on = today - dt.timedelta(days=CREATED_DAYS_AGO)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.user_of_unit = {unit_id: u for u in users.values() for unit_id in u.scope.my_unit_ids}
        self.congress_of: dict[str, object] = {}

    def day(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def when(self, on: dt.date) -> dt.datetime:
        """A moment during office hours on `on`, never in the future: the history date."""
        moment = dt.datetime.combine(on, dt.time(self.rng.randint(7, 16), self.rng.randint(0, 59)), self.tz)
        return min(moment, self.now - dt.timedelta(minutes=self.rng.randint(1, 90)))

    def who(self, congress):
        return self.user_of_unit.get(congress.unit_id, self.users["admin"])

    def create_congresses(self) -> None:
        from congresses.services import CongressSpec, congresses_bulk_create

        specs = []
        for u in self.demo_units:
            if u.level == "province":
                ordinal = 20 if u.code == "T40" else self.rng.randint(16, 22)
            elif u.kind in COMMUNE_KINDS or u.code.endswith(tuple(f"-{b.key}" for b in BLOCS if b.new_in_2025)):
                ordinal = 1  # committees set up by the 2025 reorganisation
            elif u.level == "upper":
                ordinal = self.rng.randint(8, 25)
            else:
                ordinal = self.rng.randint(3, 30)
            specs.append(CongressSpec(unit=self.units[u.code], planned_date=self.day(u.day), is_pilot=u.pilot,
                                      ordinal=ordinal))
        created_at = self.when(self.created_on)
        for congress in congresses_bulk_create(term=self.term, specs=specs, user=self.users["admin"], at=created_at):
            self.congress_of[congress.unit.code] = congress

    def record(self) -> tuple[int, int]:
        """Two rounds, as they happened: the preparation before each congress, then the
        congresses themselves and what follows them. Returns how many congresses and
        milestones changed."""
        from congresses.models import Milestone
        from congresses.services import CongressProgress, MilestoneProgress, congresses_bulk_progress

        milestones: dict[int, list] = defaultdict(list)
        for m in Milestone.objects.filter(congress__term=self.term).select_related("step").order_by("step__order"):
            milestones[m.congress_id].append(m)
        self.numbers: dict[str, int] = {}
        rounds = {"prep": ([], []), "after": ([], [])}  # round -> (milestone entries, congress entries)
        state: dict[str, str] = {}  # unit code -> held / postponed / preparing

        # Deepest first, so a unit knows whether its subordinates have held their congresses.
        for u in sorted(self.demo_units, key=lambda u: -len(u.code.split("-"))):
            congress = self.congress_of[u.code]
            user = self.who(congress)
            lagging = self.rng.random() < SEASON.lagging and not u.pilot  # pilots set the example
            date = congress.planned_date
            outcome = "preparing"
            if date < self.today:  # pilots set the example: held on time
                outcome = "postponed" if not u.pilot and self.rng.random() < SEASON.postponed else "held"
            state[u.code] = outcome
            held_on = date if outcome == "held" else None
            postpone_note = self.rng.choice(POSTPONE_NOTES)

            items = []  # [round, milestone, status, done_on, note]
            for m in milestones[congress.pk]:
                code = m.step.code
                if code == "hold":
                    # Held: written by the congress change below. Postponed: blocked.
                    if outcome == "postponed":
                        items.append(["after", m, "blocked", None, postpone_note])
                    continue
                if code == "register":
                    registered = self._registered(m.due_date, outcome, lagging)
                    if registered:
                        items.append(["prep", m, "done", registered, ""])
                    continue
                if code == "subordinates":
                    status, done_on, note = self._subordinates(u, m, state)
                    rnd = "after"
                else:
                    status, done_on, note = self._status(m, outcome, held_on, lagging)
                    rnd = "after" if m.step.due_rule == "after" else "prep"
                if status != "not_started":
                    items.append([rnd, m, status, done_on, note])

            # Evidence numbers grow with time within a unit.
            evidence = {}
            for item in sorted((i for i in items if i[2] == "done"), key=lambda i: i[3]):
                if item[1].step.code in EVIDENCE_KIND:
                    evidence[item[1].pk] = self._evidence(u, item[1].step.code)
            for rnd, m, status, done_on, note in items:
                if done_on:
                    at = self.when(done_on)
                else:
                    around = min(self.today, m.due_date - dt.timedelta(days=self.rng.randint(0, 10)))
                    at = self.when(max(self.created_on + dt.timedelta(days=1), around))
                rounds[rnd][0].append(MilestoneProgress(
                    milestone_id=m.pk, status=status, done_on=done_on, evidence_number=evidence.get(m.pk, ""),
                    note=note, user=user, at=at,
                ))
            if outcome == "held":
                rounds["after"][1].append(CongressProgress(
                    congress_id=congress.pk, data=self._results(u, held_on), user=user,
                    at=self.when(held_on) + dt.timedelta(hours=3),
                ))
            elif outcome == "postponed":
                rounds["after"][1].append(CongressProgress(
                    congress_id=congress.pk, data={"status": "postponed", "note": postpone_note}, user=user,
                    at=self.when(date),
                ))
        changed_c = changed_m = 0
        for milestone_entries, congress_entries in rounds.values():
            c, m = congresses_bulk_progress(
                milestones=milestone_entries, congresses=congress_entries, user=self.users["admin"]
            )
            changed_c, changed_m = changed_c + c, changed_m + m
        return changed_c, changed_m

    def _clamp(self, on: dt.date, *, earliest: dt.date | None = None, latest: dt.date | None = None) -> dt.date:
        """`on` moved into [set-up day + 1, today], and into [earliest, latest] when given."""
        low = max(self.created_on + dt.timedelta(days=1), earliest or self.created_on)
        high = min(self.today, latest or self.today)
        return max(low, min(on, high))

    def _status(self, m, outcome: str, held_on, lagging: bool):
        """(status, date done, note) of an ordinary milestone. The longer ago a step fell
        due, the likelier it is done, so each unit has a frontier: old steps done, recent
        ones late or in progress, the next ones not started."""
        rng, due, today, code = self.rng, m.due_date, self.today, m.step.code
        r = rng.random() + (0.2 if lagging else 0)
        late_note = rng.choice(LATE_NOTES.get(code, [""]))
        if m.step.due_rule == "after":  # after the congress: only once it is held
            if outcome != "held":
                return "not_started", None, ""
            if due < today:
                if r < 0.85:
                    return "done", self._clamp(due + dt.timedelta(days=rng.randint(-5, 3)), earliest=held_on), ""
                return ("in_progress", None, late_note) if r < 0.97 else ("not_started", None, "")
            if r < 0.35:
                return "done", self._clamp(today - dt.timedelta(days=rng.randint(0, 6)), earliest=held_on), ""
            return ("in_progress", None, "") if r < 0.75 else ("not_started", None, "")
        if outcome == "held":
            return "done", self._clamp(due + dt.timedelta(days=rng.randint(-7, 4)), latest=held_on), ""
        if due < today:
            overdue = (today - due).days
            p_done = 0.97 if overdue > 30 else 0.88 if overdue > 10 else 0.7
            if r < p_done:
                return "done", self._clamp(due + dt.timedelta(days=rng.randint(-7, min(5, overdue)))), ""
            if code in BLOCKED_NOTES and r < p_done + 0.08:
                return "blocked", None, rng.choice(BLOCKED_NOTES[code])
            return ("in_progress", None, late_note) if r < 1.1 else ("not_started", None, "")
        ahead = (due - today).days
        early = self._clamp(today - dt.timedelta(days=rng.randint(0, 10)))
        if ahead <= 15:
            if r < 0.2:
                return "done", early, ""
            if r < 0.65:
                return "in_progress", None, ""
        elif ahead <= 40:
            if r < 0.05:
                return "done", early, ""
            if r < 0.2:
                return "in_progress", None, ""
        elif r < 0.03:
            return "in_progress", None, ""
        return "not_started", None, ""

    def _subordinates(self, u: DemoUnit, m, state: dict):
        """The "hold the subordinate congresses" step follows the subordinates' congresses."""
        if not u.children:
            if m.due_date < self.today:
                return "done", self._clamp(m.due_date), ""
            return "not_started", None, ""
        held = [c for c in u.children if state[c.code] == "held"]
        if len(held) == len(u.children):
            return "done", self._clamp(max(self.congress_of[c.code].planned_date for c in held)), ""
        note = f"{len(held)}/{len(u.children)} đơn vị trực thuộc đã tổ chức đại hội."
        if held or m.due_date < self.today + dt.timedelta(days=15):
            return "in_progress", None, note
        return "not_started", None, ""

    def _registered(self, due: dt.date | None, outcome: str, lagging: bool) -> dt.date | None:
        """The date the congress date was registered with the superior, or None."""
        rng = self.rng
        if due is None:
            return None
        if due < self.today:
            if outcome != "preparing" or rng.random() < (0.8 if lagging else SEASON.registered):
                return self._clamp(due + dt.timedelta(days=rng.randint(-10, 3)))
            return None
        if rng.random() < 0.5:
            return self._clamp(self.today - dt.timedelta(days=rng.randint(0, 15)))
        return None

    def _evidence(self, u: DemoUnit, step: str) -> str:
        kind = EVIDENCE_KIND[step]
        if step == "approval":  # the superior's document
            issuer = u.parent.suffix if u.parent else "TW"
            return f"{self.rng.randint(100, 999) if issuer in ('TU', 'TW') else self.rng.randint(20, 180)}-{kind}/{issuer}"
        start = {"TU": 300, "ĐU": 10, "CB": 1}[u.suffix]
        n = self.numbers.get(u.code, self.rng.randint(start, start * 3)) + self.rng.randint(1, 3)
        self.numbers[u.code] = n
        return f"{n:02d}-{kind}/{u.suffix}"

    def _results(self, u: DemoUnit, held_on: dt.date) -> dict:
        rng = self.rng
        cell = u.name.startswith("Chi bộ")
        seats = rng.randint(3, 5) if cell else rng.randint(5, 15)
        direct = rng.random() < 0.9
        share = shapes.vote_share(rng) if direct else None
        return {
            "held_on": held_on, "status": "held", "executive_seats_elected": seats,
            "secretary_elected_directly": direct, "secretary_vote_share": share,
        }
