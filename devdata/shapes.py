"""What the development-data generators share: the blocs, the kinds and names of units, the
congress season (date windows and deadlines per level, the gap rates) and the seeding.

Three generators build trees of committees: the demo province (`manage.py load_demo`), the
national benchmark tree (`devdata.national`, for bench_dashboard and bench_reminders) and the
import benchmark's file (`manage.py bench_import`). A bloc, a naming rule or a date window
is changed here, once, and all of them follow.

The demo and the national tree show two moments of the same campaign, so they keep two
seasons (`DEMO_SEASON`, `NATIONAL_SEASON`) side by side here rather than one: the demo is a
province in the middle of its season (its grassroots congresses under way), the benchmark
tree a whole country further on (most sub-grassroots and grassroots congresses held). The
benchmark figures in the README were measured on `NATIONAL_SEASON`: changing it changes what
they measure, so bump `devdata.national.BUILD_VERSION` with it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from committees.models import Level

# ---------------------------------------------------------------------------------------
# Seeding

DEMO_SEED = 2025  # load_demo --seed
NATIONAL_SEED = 1  # bench_dashboard / bench_reminders --seed
IMPORT_SEED = 2025  # bench_import's file


def seeded(seed: int) -> random.Random:
    """A generator's own random stream. Every draw goes through it, never through the
    module-level `random`, so a seed gives the same data on every run and a benchmark tree
    rebuilt from the same parameters is the same tree."""
    return random.Random(seed)


# ---------------------------------------------------------------------------------------
# Kinds, per level (Unit.kind is free text: DOMAIN.md "any kind at a level")

CENTRAL_KIND = "central"
CENTRAL_NAME = "Ban Chấp hành Trung ương Đảng"  # the root of a national tree
COMMUNE_KINDS = ("commune", "ward", "special_zone")  # upper-grassroots since 2025
_DIVISION_KIND = {"xã": "commune", "phường": "ward"}  # anything else: "đặc khu"
COMMITTEE_KIND = "committee"  # a đảng bộ (it may have cells below it)
CELL_KIND = "cell"  # a chi bộ


def commune_kind(division: str) -> str:
    """The kind of a commune-level committee from the ward's division type ("xã"…)."""
    return _DIVISION_KIND.get(division, "special_zone")


def grassroots_kind(name: str) -> str:
    return COMMITTEE_KIND if name.startswith("Đảng bộ") else CELL_KIND


# ---------------------------------------------------------------------------------------
# Names


@dataclass(frozen=True)
class ProvinceName:
    """How a province is named in its committees' names: "tỉnh Nghệ An", "thành phố Huế"."""

    short: str  # "Nghệ An", "Huế"
    city: bool

    @property
    def t(self) -> str:
        return "thành phố" if self.city else "tỉnh"

    @property
    def committee(self) -> str:
        """The province's party committee: "Đảng bộ tỉnh Nghệ An"."""
        return f"Đảng bộ {self.t} {self.short}"

    @property
    def kind(self) -> str:
        return "city" if self.city else "province"

    def format(self, template: str) -> str:
        """`template` with {t} (tỉnh), {T} (Tỉnh), {tu} (Tỉnh ủy) and {p} (Nghệ An)."""
        return template.format(
            t=self.t, T="Thành" if self.city else "Tỉnh", tu="Thành ủy" if self.city else "Tỉnh ủy", p=self.short
        )


def province_name(name: str) -> ProvinceName:
    """From a `vietnam-provinces` name ("Nghệ An", "Thành phố Huế")."""
    city = name.startswith("Thành phố ")
    return ProvinceName(short=name.removeprefix("Thành phố ").removeprefix("Tỉnh "), city=city)


def place_name(ward_name: str) -> str:
    """A ward's name without its division type: "Xã Hưng Nguyên" → "Hưng Nguyên"."""
    for division in ("Xã ", "Phường ", "Đặc khu "):
        if ward_name.startswith(division):
            return ward_name[len(division):]
    return ward_name


def commune_committee_name(ward_name: str) -> str:
    """The party committee of a commune, ward or special zone: "Đảng bộ xã Hưng Nguyên"."""
    return f"Đảng bộ {ward_name[:1].lower()}{ward_name[1:]}"


# ---------------------------------------------------------------------------------------
# Blocs


@dataclass(frozen=True)
class Bloc:
    """A bloc committee beside the communes at the upper-grassroots level of every province
    (DOMAIN.md "Unit", seed 000)."""

    key: str  # its code under the province's: T40-CQD, VN-40-CQD
    name: str  # with {t}: tỉnh / thành phố
    kind: str
    weight: float  # how many grassroots units it has, against a commune's (national tree)
    new_in_2025: bool = False  # set up by the 2025 reorganisation: its first congress

    def name_in(self, province: ProvinceName) -> str:
        """Its name inside its province: "Đảng bộ Quân sự tỉnh"."""
        return province.format(self.name)

    def full_name(self, province: ProvinceName) -> str:
        """Its name among many provinces: "Đảng bộ Quân sự tỉnh Nghệ An"."""
        return f"{self.name_in(province)} {province.short}"


BLOCS = (
    Bloc("CQD", "Đảng bộ các cơ quan Đảng {t}", "bloc", 3.0, new_in_2025=True),
    Bloc("UB", "Đảng bộ Ủy ban nhân dân {t}", "bloc", 3.0, new_in_2025=True),
    Bloc("QS", "Đảng bộ Quân sự {t}", "military", 2.0),
    Bloc("CA", "Đảng bộ Công an {t}", "police", 2.0),
    Bloc("BP", "Đảng bộ Bộ đội Biên phòng {t}", "border_guard", 1.5),
)


# ---------------------------------------------------------------------------------------
# The congress season

BOTTOM_UP_GAP = 4  # days at least between a unit's congress and its subordinates' (DOMAIN.md "Congress")


@dataclass(frozen=True)
class Season:
    """When the congresses of each level fall, in days from the day the data are generated
    (both generators anchor dates on today, so the data always look live), and the gaps: what
    is not there yet. Pilots first, then the mass roll-out (DOMAIN.md "Congress")."""

    windows: dict[str, tuple[int, int]]  # congress dates per level
    pilot_windows: dict[str, tuple[int, int]]  # per level that has pilot congresses
    deadlines: dict[str, int]  # the level deadlines of the term
    postponed: float  # of the congresses dated in the past
    registered: float  # of the congresses whose register step fell due: date registered
    undated: dict[str, float] = field(default_factory=dict)  # per level: no congress date yet
    no_congress: dict[str, float] = field(default_factory=dict)  # per level: no congress yet (just merged)
    out_of_order: float = 0.0  # congresses not capped before their superior's (as in real life)
    lagging: float = 0.0  # units behind on everything

    def window(self, level: str, *, pilot: bool = False) -> tuple[int, int]:
        return self.pilot_windows[level] if pilot else self.windows[level]


# A province in the middle of its season: the province's congress in about three months.
DEMO_SEASON = Season(
    windows={
        Level.PROVINCE: (100, 100), Level.UPPER: (30, 80), Level.GRASSROOTS: (-20, 50), Level.SUB: (-30, 30),
    },
    pilot_windows={Level.UPPER: (8, 18)},
    deadlines={Level.SUB: 35, Level.GRASSROOTS: 55, Level.UPPER: 85, Level.PROVINCE: 110},
    postponed=0.07,
    registered=0.96,
    lagging=0.15,
)

# The whole country further on: sub-grassroots congresses mostly held, grassroots ones around
# today, communes and blocs one to three months ahead (a pilot per province already held),
# provinces four to five months ahead, the national congress last.
NATIONAL_SEASON = Season(
    windows={
        Level.CENTRAL: (200, 200), Level.PROVINCE: (110, 150), Level.UPPER: (30, 100),
        Level.GRASSROOTS: (-45, 45), Level.SUB: (-75, 5),
    },
    pilot_windows={Level.UPPER: (-25, 10), Level.GRASSROOTS: (-45, -20)},
    deadlines={Level.SUB: 10, Level.GRASSROOTS: 50, Level.UPPER: 105, Level.PROVINCE: 155, Level.CENTRAL: 220},
    postponed=0.03,
    registered=0.9,
    undated={Level.UPPER: 0.02, Level.GRASSROOTS: 0.01},
    no_congress={Level.GRASSROOTS: 0.01},
    out_of_order=0.003,
)


# ---------------------------------------------------------------------------------------
# Results


def vote_share(rng: random.Random) -> Decimal:
    """The secretary's vote share when elected directly at the congress: 85–100 % (seed 001:
    "số phiếu đạt 100%")."""
    return Decimal(rng.randint(8500, 10000)) / 100
