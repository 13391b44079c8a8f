"""A national-shape tree for benchmarks (DOMAIN.md "Scale"): the central committee, 34
provinces, about 3,300 commune and bloc committees, grassroots and sub-grassroots units up
to 60,000 in all, one congress each and about 20 milestones per congress (1.2 million
rows), secretaries and provincial viewers. Used by `manage.py bench_dashboard` and meant for
the other benchmarks (the reminder scan reads the same tree).

Written for speed, not through the services: every row is generated in Python with ids
assigned up front (so each unit's `path`, its ancestors' base-36 ids, is known before the
insert) and streamed into PostgreSQL with COPY, a few seconds per million rows. The
services would also write one history row per object; a generated tree has no history.
The roll-ups are then rebuilt from scratch (`progress.rollups.rebuild`).

Dates are anchored on `today` so the data look like a campaign in full swing (DOMAIN.md
"Congress": bottom-up, pilots first): sub-grassroots congresses mostly held already,
grassroots ones around today, communes and blocs one to three months ahead (a pilot per
province already held), provinces four to five months ahead, the national congress last.
Milestones due in the past are mostly done, some overdue; every day around today has some
milestones falling due (the reminder scan's today+1/+3/+7), most are done or far away.

PostgreSQL only (COPY). The database should hold no other units' codes starting with the
code prefix ("VN"); the term "bench" must not exist yet.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from committees.models import Level, Unit, encode_segment
from committees.names import fold, sort_key
from devdata import shapes
from devdata.shapes import BLOCS, BOTTOM_UP_GAP, COMMUNE_KINDS, NATIONAL_SEASON as SEASON

TERM_NAME = "bench"
ADMIN_USERNAME = "bench-admin"
BUILD_VERSION = 2  # bump when the shape of the generated data changes (forces a rebuild)

# Per 60,000 units: the national proportions of DOMAIN.md "Scale".
DEFAULT_UNITS = 60_000
DEFAULT_PROVINCES = 34
COMMUNES_PER_UNIT = 3_300 / 60_000
DEFAULT_STEPS = 20
SUB_SHARE = 0.10  # of the units below the communes: sub-grassroots cells (chi bộ trực thuộc)
SUBS_PER_COMMITTEE = 6  # a grassroots committee (đảng bộ cơ sở) has a few sub-grassroots cells
HELD = 0.92  # of the congresses dated in the past; then SEASON.postponed of them postponed
# Congress dates, level deadlines and gaps: devdata.shapes.NATIONAL_SEASON. Bottom-up: a
# unit's congress is at least BOTTOM_UP_GAP days after its subordinates' (the generator caps
# the subordinates' dates), except for a few units (SEASON.out_of_order) as in real life.

ALL = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS, Level.SUB]
COMMITTEES = [Level.CENTRAL, Level.PROVINCE, Level.UPPER, Level.GRASSROOTS]
# (code, title, levels, days from the congress date, effect): the rhythm of the default plan
# (congresses.default_plan) in finer steps, e.g. the document drafting steps of seed 001.
PLAN = [
    ("plan", "Ban hành kế hoạch tổ chức đại hội", ALL, -120, ""),
    ("guidance", "Quán triệt chỉ thị, hướng dẫn của cấp trên", ALL, -110, ""),
    ("subcommittees", "Thành lập các tiểu ban", COMMITTEES, -100, ""),
    ("review", "Kiểm điểm, đánh giá hoạt động của cấp ủy nhiệm kỳ qua", ALL, -95, ""),
    ("register", "Đăng ký thời gian tổ chức đại hội với cấp trên", ALL, -75, "register"),
    ("political-report", "Dự thảo báo cáo chính trị", ALL, -70, ""),
    ("review-report", "Dự thảo báo cáo kiểm điểm của cấp ủy", ALL, -65, ""),
    ("comments-below", "Gửi dự thảo văn kiện xin ý kiến cấp dưới", COMMITTEES, -55, ""),
    ("comments-public", "Lấy ý kiến nhân dân vào dự thảo văn kiện", COMMITTEES, -50, ""),
    ("synthesis", "Tổng hợp, tiếp thu ý kiến góp ý", ALL, -45, ""),
    ("personnel", "Xây dựng đề án nhân sự", ALL, -45, ""),
    ("personnel-submit", "Trình cấp trên phương án nhân sự", ALL, -40, ""),
    ("subordinates", "Chỉ đạo đại hội cấp dưới", COMMITTEES, -20, ""),
    ("petitions", "Giải quyết dứt điểm đơn thư", ALL, -15, ""),
    ("approval", "Cấp trên thẩm định văn kiện, nhân sự", ALL, -10, ""),
    ("programme", "Chương trình, kịch bản điều hành đại hội", ALL, -7, ""),
    ("logistics", "Công tác tổ chức phục vụ, tuyên truyền", ALL, -5, ""),
    ("hold", "Tổ chức đại hội", ALL, 0, "hold"),
    ("report", "Báo cáo kết quả đại hội lên cấp trên", ALL, 7, ""),
    ("records", "Hoàn thiện hồ sơ đại hội", ALL, 15, ""),
]
EVIDENCE_KIND = ["KH", "CV", "BC", "QĐ", "TTr", "TB"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Thanh", "Ngọc", "Quang", "Xuân", "Thu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Lan", "Long",
         "Mai", "Nam", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Trung", "Tuấn", "Việt", "Yến"]


@dataclass
class NationalTree:
    """What `build_national_tree` made."""

    term_id: int
    root_id: int
    admin_id: int
    today: dt.date
    units_by_level: dict[str, int]
    congresses: int
    milestones: int
    users: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(self.units_by_level.values())


@dataclass
class _Unit:
    id: int
    code: str
    name: str
    level: str
    kind: str
    parent: _Unit | None
    path: str
    depth: int
    pilot: bool = False
    day: int | None = None  # congress date, days from today
    children: list[_Unit] = field(default_factory=list)


def default_shape(units: int) -> tuple[int, int]:
    """Provinces and communes for a tree of `units` units, in the national proportions."""
    communes = max(1, round(units * COMMUNES_PER_UNIT))
    provinces = min(DEFAULT_PROVINCES, max(1, round(communes / (3_300 / 34))))
    return provinces, communes


def build_national_tree(
    *, units: int = DEFAULT_UNITS, provinces: int | None = None, communes: int | None = None,
    steps: int = DEFAULT_STEPS, seed: int = shapes.NATIONAL_SEED, today: dt.date | None = None, code_prefix: str = "VN",
    log: Callable[[str], None] | None = None,
) -> NationalTree:
    """Build the tree, its congresses and milestones, the users, then the roll-ups.

    Steps (each timed, reported through `log`): the term "bench" with its plan and level
    deadlines; the units; the congresses; the milestones; the users (an admin, a viewer
    per province, a secretary per unit with a congress, all with unusable passwords); the
    id sequences and the planner statistics; the roll-ups.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The national tree is written with COPY: PostgreSQL only.")
    from congresses.models import Term

    log = log or (lambda message: None)
    today = today or timezone.localdate()
    if provinces is None or communes is None:
        default_p, default_c = default_shape(units)
        provinces = default_p if provinces is None else provinces
        communes = default_c if communes is None else communes
    if provinces < 1 or communes < provinces or units < 1 + provinces + 2 * communes:
        raise ValueError(
            f"Cannot shape {units} units into {provinces} provinces and {communes} communes "
            "(each province needs a commune, each commune a grassroots unit)."
        )
    if Term.objects.filter(name=TERM_NAME).exists():
        raise ValueError(f"The term {TERM_NAME!r} exists already: build into an empty database.")

    rng = shapes.seeded(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def phase(name: str, t0: float, detail: str) -> None:
        timings[name] = time.perf_counter() - t0
        log(f"  {name:<12} {timings[name]:6.1f} s  {detail}")

    with transaction.atomic():
        t0 = time.perf_counter()
        term, plan = _create_term(today, steps)
        phase("plan", t0, f"term {term.name!r}: {len(plan)} steps, {len(SEASON.deadlines)} level deadlines")

        t0 = time.perf_counter()
        tree = _shape_tree(units, provinces, communes, code_prefix, rng)
        _schedule(tree, rng)
        _copy_units(tree)
        by_level: dict[str, int] = {}
        for u in tree:
            by_level[str(u.level)] = by_level.get(str(u.level), 0) + 1
        phase("units", t0, ", ".join(f"{level} {n:,}" for level, n in by_level.items()))

        # Rows go in an order that satisfies the foreign keys (users before the congresses
        # and milestones they changed), so nothing depends on the checks being deferred.
        t0 = time.perf_counter()
        gap = SEASON.no_congress
        with_congress = [u for u in tree if not (u.level in gap and rng.random() < gap[u.level])]
        user_base = _next_id("accounts_user")
        n_users = _copy_users(tree, with_congress, user_base, rng)
        secretary_of = {u.id: user_base + 1 + provinces + i for i, u in enumerate(with_congress)}
        phase("users", t0, f"{n_users:,} (admin {ADMIN_USERNAME!r}, {provinces} viewers, secretaries)")

        t0 = time.perf_counter()
        congresses = _copy_congresses(with_congress, term.pk, secretary_of, today, rng)
        phase("congresses", t0, f"{len(congresses):,}")

        t0 = time.perf_counter()
        n_milestones = _copy_milestones(congresses, plan, secretary_of, today, rng)
        phase("milestones", t0, f"{n_milestones:,}")

        t0 = time.perf_counter()
        _reset_sequences()
        _analyze(["committees_unit", "congresses_congress", "congresses_milestone", "accounts_user"])
        phase("analyze", t0, "sequences reset, planner statistics")
        t0 = time.perf_counter()
    phase("commit", t0, "deferred foreign-key checks")

    t0 = time.perf_counter()
    from progress import rollups

    counts = rollups.rebuild()
    _analyze([m._meta.db_table for m in _rollup_models()])
    phase("rollups", t0, ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    timings["total"] = time.perf_counter() - started
    log(f"  {'total':<12} {timings['total']:6.1f} s")
    return NationalTree(
        term_id=term.pk, root_id=tree[0].id, admin_id=user_base, today=today, units_by_level=by_level,
        congresses=len(congresses), milestones=n_milestones, users=n_users, timings=timings,
    )


# ---------------------------------------------------------------------------------------
# The term and its plan


def _plan(steps: int) -> list[tuple]:
    """`steps` steps of PLAN: the register and hold steps always, then the others in order;
    beyond PLAN, extra steps spread over the month before the congress."""
    if steps >= len(PLAN):
        extra = [(f"extra-{k}", f"Bước bổ sung {k}", ALL, -30 + k % 30, "") for k in range(1, steps - len(PLAN) + 1)]
        return PLAN + extra
    keep = {i for i, s in enumerate(PLAN) if s[4]}
    for i in range(len(PLAN)):
        if len(keep) >= steps:
            break
        keep.add(i)
    return [s for i, s in enumerate(PLAN) if i in keep]


def _create_term(today: dt.date, steps: int):
    from congresses.models import DueRule, LevelDeadline, PlanStep, Term

    Term.objects.filter(is_current=True).update(is_current=False)
    term = Term.objects.create(name=TERM_NAME, start_year=today.year, end_year=today.year + 5, is_current=True)
    LevelDeadline.objects.bulk_create(
        [LevelDeadline(term=term, level=level, deadline=today + dt.timedelta(days=d))
         for level, d in SEASON.deadlines.items()]
    )
    plan = PlanStep.objects.bulk_create([
        PlanStep(
            term=term, code=code, title=title, order=10 * i, levels=[str(level) for level in levels],
            due_rule=DueRule.AFTER if offset > 0 else DueRule.BEFORE, offset_days=abs(offset), effect=effect,
        )
        for i, (code, title, levels, offset, effect) in enumerate(_plan(steps), start=1)
    ])
    return term, plan


# ---------------------------------------------------------------------------------------
# The tree


def _split(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """`total` split in proportion to `weights`, each part at least `minimum` (largest
    remainders get the rest)."""
    n = len(weights)
    base = [minimum] * n
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("Not enough to go round.")
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    parts = [int(x) for x in exact]
    left = rest - sum(parts)
    for i in sorted(range(n), key=lambda i: exact[i] - parts[i], reverse=True)[:left]:
        parts[i] += 1
    return [b + p for b, p in zip(base, parts, strict=True)]


def _real_map(provinces: int) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(code, name, [(ward code, name, kind)]) of the real provinces (PyPI
    `vietnam-provinces`, the 2025 map), as many as asked; made-up ones beyond 34."""
    try:
        from vietnam_provinces import Province, Ward
    except ImportError:  # the names are decoration: the shape does not need them
        real, wards = [], {}
    else:
        real = sorted(Province.iter_all(), key=lambda p: int(p.code))
        wards = {}
        for w in Ward.iter_all():
            kind = shapes.commune_kind(w.division_type.value)
            wards.setdefault(int(w.province_code), []).append((int(w.code), w.name, kind))
    out = []
    for i in range(provinces):
        if i < len(real):
            p = real[i]
            out.append((f"{int(p.code):02d}", p.name, sorted(wards.get(int(p.code), []))))
        else:
            out.append((f"{i + 1:02d}", f"Tỉnh Số {i + 1}", []))
    return out


def _shape_tree(units: int, provinces: int, communes: int, prefix: str, rng: random.Random) -> list[_Unit]:
    """Every unit, parents before children, with ids, paths and depths."""
    next_id = _next_id("committees_unit")
    tree: list[_Unit] = []

    def add(code, name, level, kind, parent) -> _Unit:
        nonlocal next_id
        path = (parent.path if parent else "") + encode_segment(next_id)
        u = _Unit(next_id, code, name, level, kind, parent, path, parent.depth + 1 if parent else 0)
        next_id += 1
        if parent is not None:
            parent.children.append(u)
        tree.append(u)
        return u

    root = add(prefix, shapes.CENTRAL_NAME, Level.CENTRAL, shapes.CENTRAL_KIND, None)
    the_map = _real_map(provinces)
    blocs_each = min(len(BLOCS), max(0, communes // provinces - 1))
    weights = [max(1, len(wards)) for _c, _n, wards in the_map]
    communes_of = _split(communes - blocs_each * provinces, weights)

    uppers: list[tuple[_Unit, float]] = []  # (unit, weight for its number of grassroots units)
    for (pcode, pname, wards), n_communes in zip(the_map, communes_of, strict=True):
        named = shapes.province_name(pname)
        province = add(f"{prefix}-{pcode}", named.committee, Level.PROVINCE, named.kind, root)
        for i in range(n_communes):
            if i < len(wards):
                wcode, wname, kind = wards[i]
                code, name = f"{province.code}-X{wcode}", shapes.commune_committee_name(wname)
            else:
                code, name, kind = f"{province.code}-X{i + 1:05d}", f"Đảng bộ xã Số {i + 1}", "commune"
            uppers.append((add(code, name, Level.UPPER, kind, province), rng.uniform(0.6, 1.4)))
        for b in BLOCS[:blocs_each]:
            bloc = add(f"{province.code}-{b.key}", b.name_in(named), Level.UPPER, b.kind, province)
            uppers.append((bloc, b.weight * rng.uniform(0.7, 1.3)))

    below = units - len(tree)
    n_sub = round(below * SUB_SHARE)
    n_grassroots = below - n_sub
    grassroots: list[_Unit] = []
    for (upper, _w), n in zip(uppers, _split(n_grassroots, [w for _u, w in uppers]), strict=True):
        commune = upper.kind in COMMUNE_KINDS
        for i in range(1, n + 1):
            if commune:
                name = f"Chi bộ {rng.choice(('thôn', 'xóm', 'bản', 'tổ dân phố', 'khu phố'))} {i}"
            else:
                name = f"{rng.choice(('Chi bộ', 'Đảng bộ'))} cơ quan, đơn vị số {i}"
            grassroots.append(add(f"{upper.code}-{i:03d}", name, Level.GRASSROOTS, shapes.CELL_KIND, upper))
    if n_sub:
        # Grassroots committees with cells of their own are mostly agencies, enterprises,
        # army and police units (the blocs); village cells rarely are.
        wanted = min(len(grassroots), max(1, round(n_sub / SUBS_PER_COMMITTEE)))
        in_blocs = [g for g in grassroots if g.parent.kind not in COMMUNE_KINDS]
        others = [g for g in grassroots if g.parent.kind in COMMUNE_KINDS]
        committees = rng.sample(in_blocs, min(len(in_blocs), wanted * 4 // 5))
        committees += rng.sample(others, min(len(others), wanted - len(committees)))
        committees.sort(key=lambda u: u.id)
        for committee, n in zip(committees, _split(n_sub, [rng.uniform(0.5, 1.5) for _ in committees]), strict=True):
            committee.kind = shapes.COMMITTEE_KIND
            committee.name = committee.name.replace("Chi bộ", "Đảng bộ", 1)
            for i in range(1, n + 1):
                add(f"{committee.code}-{i:02d}", f"Chi bộ trực thuộc số {i}", Level.SUB, shapes.CELL_KIND, committee)
    # Parents before children was the insertion order: grassroots come after all the
    # uppers, subs after all the grassroots, so ids grow with depth.
    return tree


def _schedule(tree: list[_Unit], rng: random.Random) -> None:
    """Congress dates, top down, each capped before its parent's (bottom-up order); one
    pilot commune per province and one pilot grassroots unit per commune or bloc."""
    for u in tree:
        if u.level == Level.UPPER and u.parent.children[0] is u:
            u.pilot = True
        elif u.level == Level.GRASSROOTS and len(u.parent.children) >= 3 and u.parent.children[0] is u:
            u.pilot = True
        if rng.random() < SEASON.undated.get(u.level, 0) and not u.pilot:
            continue  # not scheduled yet (and then neither capped nor capping)
        day = rng.randint(*SEASON.window(u.level, pilot=u.pilot))
        parent_day = u.parent.day if u.parent is not None else None
        if parent_day is not None and day > parent_day - BOTTOM_UP_GAP and rng.random() >= SEASON.out_of_order:
            day = parent_day - BOTTOM_UP_GAP - rng.randint(0, 6)
        u.day = day


# ---------------------------------------------------------------------------------------
# COPY


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
        return cursor.fetchone()[0]


def _text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    s = str(value)
    if any(c in s for c in "\\\t\n\r"):
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _columns(model, names: list[str]) -> tuple[list[str], str]:
    """The table columns for the model fields `names` (attnames), then every other concrete
    field with its default, so that a field added to the model later does not break the
    builder. Returns the column list and the text to append to each row for the others."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    missing = [n for n in names if n not in fields]
    if missing:
        raise ValueError(f"{model.__name__} has no fields {missing}")
    columns = [fields[n].column for n in names]
    tail = []
    for attname, f in fields.items():
        if attname in names:
            continue
        if f.has_default():
            value = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            value = None
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = timezone.now()
        elif f.blank and f.empty_strings_allowed:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{attname} needs a value: add it to the builder.")
        columns.append(f.column)
        tail.append(_text(value))
    return columns, "".join("\t" + t for t in tail)


def _copy(model, columns: list[str], lines: Iterable[str], chunk: int = 50_000) -> None:
    """COPY lines (tab-separated, newline-terminated) into the model's table, in chunks."""
    sql = 'COPY "{}" ({}) FROM STDIN'.format(model._meta.db_table, ", ".join(f'"{c}"' for c in columns))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        buffer: list[str] = []

        def flush():
            data = "".join(buffer)
            buffer.clear()
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, io.StringIO(data))
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(data)

        for line in lines:
            buffer.append(line)
            if len(buffer) >= chunk:
                flush()
        if buffer:
            flush()


def _copy_units(tree: list[_Unit]) -> None:
    now = _text(timezone.now())
    columns, tail = _columns(Unit, ["id", "code", "name", "level", "kind", "parent_id", "path", "depth", "is_active",
                                    "created_at", "updated_at", "name_key", "name_search"])
    _copy(Unit, columns, (
        f"{u.id}\t{_text(u.code)}\t{_text(u.name)}\t{u.level}\t{u.kind}\t{u.parent.id if u.parent else chr(92) + 'N'}"
        f"\t{u.path}\t{u.depth}\tt\t{now}\t{now}\t{_text(sort_key(u.name))}\t{_text(fold(u.name))}{tail}\n"
        for u in tree
    ))


@dataclass
class _Congress:
    id: int
    unit: _Unit
    day: int | None
    registered: int | None
    held: int | None


def _copy_congresses(units: list[_Unit], term_id: int, secretary_of: dict[int, int], today: dt.date,
                     rng: random.Random) -> list[_Congress]:
    from congresses.models import Congress

    next_id = _next_id("congresses_congress")
    register_offset = next(offset for _c, _t, _l, offset, effect in PLAN if effect == "register")
    ordinals = {Level.CENTRAL: (14, 14), Level.PROVINCE: (18, 22), Level.UPPER: (20, 30),
                Level.GRASSROOTS: (5, 25), Level.SUB: (3, 15)}
    seats = {Level.CENTRAL: (180, 200), Level.PROVINCE: (45, 65), Level.UPPER: (13, 33),
             Level.GRASSROOTS: (3, 9), Level.SUB: (3, 5)}
    now = _text(timezone.now())
    columns, tail = _columns(Congress, [
        "id", "unit_id", "term_id", "ordinal", "planned_date", "registered_on", "held_on", "is_pilot", "status",
        "executive_seats_elected", "secretary_elected_directly", "secretary_vote_share", "note", "updated_by_id",
        "updated_at",
    ])
    out: list[_Congress] = []
    lines: list[str] = []
    for u in units:
        day, registered, held, status = u.day, None, None, "preparing"
        results = ("\\N", "\\N", "\\N")
        if day is not None:
            due = day + register_offset
            if due < 0 and rng.random() < SEASON.registered or day < 0:
                registered = min(due - rng.randint(0, 10), -1)
            if day < 0:
                r = rng.random()
                if r < HELD:
                    held, status = day, "held"
                    direct = rng.random() < 0.6
                    share = shapes.vote_share(rng) if direct else None
                    results = (str(rng.randint(*seats[u.level])), "t" if direct else "f", _text(share))
                elif r < HELD + SEASON.postponed:
                    status = "postponed"
        c = _Congress(next_id, u, day, registered, held)
        next_id += 1
        out.append(c)
        lines.append(
            f"{c.id}\t{u.id}\t{term_id}\t{rng.randint(*ordinals[u.level])}\t{_day(today, day)}\t{_day(today, registered)}"
            f"\t{_day(today, held)}\t{'t' if u.pilot else 'f'}\t{status}\t{results[0]}\t{results[1]}\t{results[2]}"
            f"\t\t{secretary_of[u.id]}\t{now}{tail}\n"
        )
    _copy(Congress, columns, lines)
    return out


_DAYS: dict[tuple[dt.date, int], str] = {}


def _day(today: dt.date, day: int | None) -> str:
    if day is None:
        return "\\N"
    key = (today, day)
    text = _DAYS.get(key)
    if text is None:
        text = _DAYS[key] = (today + dt.timedelta(days=day)).isoformat()
    return text


def _copy_milestones(congresses: list[_Congress], plan, secretary_of: dict[int, int], today: dt.date,
                     rng: random.Random) -> int:
    """One milestone per step of the congress's level. Status by due date: in the past
    mostly done (some in progress, not started or blocked: overdue); within a week about a
    third done; later a few done ahead. The register and hold steps follow the congress."""
    from congresses.models import Milestone

    columns, tail = _columns(Milestone, ["id", "congress_id", "step_id", "due_date", "status", "done_on",
                                         "evidence_number", "updated_by_id", "updated_at"])
    now = _text(timezone.now())
    steps_of: dict[str, list[tuple[int, int, str]]] = {}
    for step in plan:
        offset = step.offset_days if step.due_rule == "after" else -step.offset_days
        for level in step.levels:
            steps_of.setdefault(level, []).append((step.pk, offset, step.effect))
    suffix = {Level.CENTRAL: "TW", Level.PROVINCE: "TU", Level.UPPER: "ĐU", Level.GRASSROOTS: "ĐU", Level.SUB: "CB"}
    rnd, randint = rng.random, rng.randint
    next_id = _next_id("congresses_milestone")
    count = 0

    def lines():
        nonlocal next_id, count
        for c in congresses:
            u = c.unit
            user = secretary_of[u.id]
            held = c.held is not None
            for step_id, offset, effect in steps_of.get(u.level, ()):
                due = None if c.day is None else c.day + offset
                done_day = None
                if effect == "register":
                    status, done_day = ("done", c.registered) if c.registered is not None else ("not_started", None)
                elif effect == "hold":
                    status, done_day = ("done", c.held) if held else ("not_started", None)
                else:
                    r = rnd()
                    if due is None:
                        status = "done" if r < 0.3 else "in_progress" if r < 0.5 else "not_started"
                    elif due < 0 or held and offset <= 0:
                        status = ("done" if r < (0.97 if held else 0.85) else "in_progress" if r < 0.93
                                  else "not_started" if r < 0.97 else "blocked")
                    elif due <= 7:
                        status = "done" if r < 0.35 else "in_progress" if r < 0.7 else "not_started"
                    else:
                        status = "done" if r < 0.08 else "in_progress" if r < 0.18 else "not_started"
                    if status == "done":
                        done_day = min(-1 if due is None else due, 0) - randint(0, 10)
                if status == "done":
                    evidence = f"{randint(1, 150):02d}-{EVIDENCE_KIND[randint(0, 5)]}/{suffix[u.level]}"
                else:
                    evidence = ""
                yield (
                    f"{next_id}\t{c.id}\t{step_id}\t{_day(today, due)}\t{status}\t{_day(today, done_day)}\t{evidence}"
                    f"\t{chr(92) + 'N' if status == 'not_started' else user}\t{now}{tail}\n"
                )
                next_id += 1
                count += 1

    _copy(Milestone, columns, lines())
    return count


def _copy_users(tree: list[_Unit], with_congress: list[_Unit], base: int, rng: random.Random) -> int:
    """The admin (id `base`), a viewer per province, a secretary per unit with a congress,
    each with their grant (accounts.models.Grant), by COPY too.
    Passwords are unusable ("!…", as set_unusable_password writes): nobody signs in as them."""
    from django.core.management.color import no_style

    from accounts.models import Grant, Role, User

    columns, tail = _columns(User, [
        "id", "password", "is_superuser", "username", "email", "is_staff", "is_active", "date_joined", "full_name",
    ])
    now = _text(timezone.now())
    provinces = [u for u in tree if u.level == Level.PROVINCE]
    # (user id, role, unit id) of each user's one grant, in the users' order.
    grants = [(base, Role.ADMIN, None)]
    grants += [(base + i, Role.VIEWER, p.id) for i, p in enumerate(provinces, start=1)]
    grants += [(base + 1 + len(provinces) + i, Role.SECRETARY, u.id) for i, u in enumerate(with_congress)]

    def name():
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def lines():
        yield f"{base}\t!bench\tt\t{ADMIN_USERNAME}\tadmin@bench.invalid\tt\tt\t{now}\tQuản trị{tail}\n"
        for i, p in enumerate(provinces, start=1):
            yield (f"{base + i}\t!bench\tf\tbench-viewer-{p.id}\tviewer.{p.id}@bench.invalid\tf\tt\t{now}\t{name()}"
                   f"{tail}\n")
        for i, u in enumerate(with_congress):
            yield (f"{base + 1 + len(provinces) + i}\t!bench\tf\tbench-secretary-{u.id}\tbi-thu.{u.id}@bench.invalid"
                   f"\tf\tt\t{now}\t{name()}{tail}\n")

    _copy(User, columns, lines())

    grant_columns, grant_tail = _columns(Grant, ["id", "user_id", "role", "unit_id"])
    grant_base = _next_id(Grant._meta.db_table)
    _copy(Grant, grant_columns, (
        f"{grant_base + i}\t{user_id}\t{role}\t{_text(unit_id)}{grant_tail}\n"
        for i, (user_id, role, unit_id) in enumerate(grants)
    ))
    # Kept here rather than in _reset_sequences/_analyze so that the grants stay one change
    # in the user-creation code: the sequence past the copied ids, and planner statistics
    # for the reminder scan's joins on (role, unit).
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Grant]):
            cursor.execute(sql)
        cursor.execute(f'ANALYZE "{Grant._meta.db_table}"')
    return 1 + len(provinces) + len(with_congress)


# ---------------------------------------------------------------------------------------
# After the COPY


def _rollup_models():
    from progress import registry

    return [counter.model for counter in registry.counters()]


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    from accounts.models import User
    from congresses.models import Congress, LevelDeadline, Milestone, PlanStep, Term

    statements = connection.ops.sequence_reset_sql(
        no_style(), [Unit, User, Term, PlanStep, LevelDeadline, Congress, Milestone]
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _analyze(tables: list[str]) -> None:
    # Fresh tables have no statistics: without them the planner guesses, and the first
    # benchmark requests would measure its guesses.
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')
