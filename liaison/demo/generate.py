"""The demo practice as columns of numbers and strings, computed without touching a
database: the same plan gives the same rows, byte for byte.

Everything that scales with referrals is drawn with numpy in whole arrays; only the
per-partner strings (names, addresses) are built in Python, and there are at most a few
tens of thousands of those. Times are whole minutes; each clock reading is drawn as a
local business hour and shifted to UTC with the Boston offset of its month."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from crm import positions
from crm.partners import match_key
from crm.vocab import (
    ContactRole,
    PartnerType,
    ReferralChannel,
    ServiceLine,
    TouchKind,
    Urgency,
)
from liaison.demo import places

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTES_PER_DAY = 1440
REFERRALS_PER_PARTNER_YEAR = 8
DORMANT_AFTER_DAYS = 180

TYPES = [t.value for t in PartnerType]
_TYPE_MIX = {
    "primary_care": 0.29,
    "physical_therapy": 0.13,
    "orthopedics": 0.08,
    "urgent_care": 0.08,
    "chiropractic": 0.08,
    "school": 0.10,
    "sports_club": 0.08,
    "athletic_training": 0.04,
    "gym_wellness": 0.06,
    "community": 0.04,
    "other": 0.02,
}
# How many referrals a partner of each type sends compared with a primary care office.
_TYPE_VOLUME = {
    "primary_care": 1.0,
    "physical_therapy": 0.8,
    "orthopedics": 1.6,
    "urgent_care": 1.2,
    "chiropractic": 0.5,
    "school": 0.8,
    "sports_club": 0.5,
    "athletic_training": 1.0,
    "gym_wellness": 0.3,
    "community": 0.25,
    "other": 0.3,
}
_NEVER_REFERS = {
    "primary_care": 0.25,
    "physical_therapy": 0.25,
    "orthopedics": 0.15,
    "urgent_care": 0.25,
    "chiropractic": 0.35,
    "school": 0.30,
    "sports_club": 0.40,
    "athletic_training": 0.20,
    "gym_wellness": 0.55,
    "community": 0.60,
    "other": 0.50,
}
# Which of three groups a type belongs to: 0 clinical, 1 sports, 2 fitness and community.
_GROUP = {
    "primary_care": 0,
    "physical_therapy": 0,
    "orthopedics": 0,
    "urgent_care": 0,
    "chiropractic": 0,
    "school": 1,
    "sports_club": 1,
    "athletic_training": 1,
    "gym_wellness": 2,
    "community": 2,
    "other": 0,
}
# Injury seasons, January to December: fall football, winter basketball and hockey, spring sports.
_SEASON = np.array([1.05, 1.0, 1.05, 1.1, 1.05, 0.82, 0.72, 0.88, 1.3, 1.32, 1.15, 0.88])
_SEASON_STRENGTH = np.array([0.7, 1.6, 0.5])
_REFERRAL_WEEKDAYS = np.array([1.0, 1.0, 0.97, 0.95, 0.9, 0.12, 0.05])
_TOUCH_WEEKDAYS = np.array([1.0, 1.0, 1.0, 1.0, 0.85, 0.03, 0.01])

_CHANNELS = [c.value for c in ReferralChannel]  # phone, fax, email, portal, web_form
_CHANNEL_MIX = {
    "primary_care": (0.15, 0.45, 0.10, 0.25, 0.05),
    "physical_therapy": (0.30, 0.30, 0.20, 0.20, 0.0),
    "orthopedics": (0.20, 0.30, 0.0, 0.50, 0.0),
    "urgent_care": (0.20, 0.40, 0.0, 0.40, 0.0),
    "chiropractic": (0.40, 0.40, 0.20, 0.0, 0.0),
    "school": (0.50, 0.0, 0.35, 0.0, 0.15),
    "sports_club": (0.50, 0.0, 0.35, 0.0, 0.15),
    "athletic_training": (0.50, 0.0, 0.35, 0.0, 0.15),
    "gym_wellness": (0.35, 0.0, 0.25, 0.0, 0.40),
    "community": (0.35, 0.0, 0.25, 0.0, 0.40),
    "other": (0.35, 0.30, 0.20, 0.0, 0.15),
}

_SERVICE_LINES = [s.value for s in ServiceLine]
_CONCUSSION = _SERVICE_LINES.index("concussion")
# knee, shoulder, spine, hip, foot & ankle, hand & wrist, concussion, sports performance, general
_SERVICE_MIX = np.array(
    [
        [0.22, 0.17, 0.18, 0.09, 0.12, 0.08, 0.04, 0.02, 0.08],
        [0.24, 0.14, 0.05, 0.05, 0.20, 0.08, 0.12, 0.10, 0.02],
        [0.20, 0.20, 0.15, 0.10, 0.10, 0.05, 0.02, 0.13, 0.05],
    ]
)
_CONCUSSION_BY_MONTH = np.array([1.5, 1.5, 1.0, 1.0, 1.0, 0.7, 0.6, 1.2, 2.5, 2.6, 2.2, 1.5])

_ROLES = [r.value for r in ContactRole]
_NPI_ROLES = {"physician", "np_pa", "physical_therapist"}
# Per type: (role, chance the partner has such contacts, how many beyond the first on average).
_STAFF: dict[str, tuple[tuple[str, float, float], ...]] = {
    "primary_care": (
        ("physician", 1.0, 1.2),
        ("np_pa", 0.5, 0.3),
        ("office_manager", 0.7, 0.0),
        ("referral_coordinator", 0.5, 0.0),
        ("front_desk", 0.3, 0.0),
    ),
    "physical_therapy": (
        ("physical_therapist", 1.0, 0.8),
        ("office_manager", 0.5, 0.0),
        ("front_desk", 0.4, 0.0),
    ),
    "orthopedics": (
        ("physician", 1.0, 1.5),
        ("np_pa", 0.6, 0.5),
        ("referral_coordinator", 0.7, 0.0),
        ("office_manager", 0.4, 0.0),
    ),
    "urgent_care": (("physician", 0.8, 0.4), ("np_pa", 0.9, 0.6), ("office_manager", 0.7, 0.0)),
    "chiropractic": (("other", 1.0, 0.3), ("front_desk", 0.5, 0.0)),
    "school": (("athletic_trainer", 0.8, 0.1), ("coach", 0.9, 1.0), ("other", 0.4, 0.0)),
    "sports_club": (("coach", 1.0, 0.6), ("other", 0.5, 0.0)),
    "athletic_training": (("athletic_trainer", 1.0, 1.2), ("office_manager", 0.3, 0.0)),
    "gym_wellness": (("other", 1.0, 0.2), ("coach", 0.3, 0.0)),
    "community": (("other", 1.0, 0.3),),
    "other": (("other", 1.0, 0.2), ("front_desk", 0.3, 0.0)),
}

_KINDS = [
    k.value for k in TouchKind
]  # email, call, visit, lunch_and_learn, in_service, drop-off, event
_KIND_MIX = np.array(
    [
        [
            [0.15, 0.30, 0.22, 0.12, 0.04, 0.15, 0.02],
            [0.20, 0.35, 0.20, 0.06, 0.02, 0.15, 0.02],
            [0.25, 0.40, 0.15, 0.02, 0.01, 0.16, 0.01],
        ],
        [
            [0.15, 0.28, 0.18, 0.06, 0.10, 0.08, 0.15],
            [0.20, 0.32, 0.17, 0.03, 0.06, 0.10, 0.12],
            [0.25, 0.38, 0.12, 0.01, 0.03, 0.11, 0.10],
        ],
    ]
)
_TOUCHES_PER_MONTH_BY_TIER = np.array([2.2, 0.9, 0.3])
_TIERS = np.array(["A", "B", "C"], dtype=object)


@dataclass(frozen=True)
class Plan:
    partners: int
    years: int
    seed: int
    now: datetime
    referrals: int


@dataclass
class Table:
    """Columns of one table, equally long: int64, bool, datetime64[us] (NaT is NULL) or
    object arrays holding str, int or None."""

    name: str
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


@dataclass(frozen=True)
class Context:
    """What already exists in the database that the rows point at."""

    liaison_ids: list[int]
    location_ids: list[int]
    first_ids: dict[str, int]


def default_referrals(partners: int, years: int) -> int:
    return partners * years * REFERRALS_PER_PARTNER_YEAR


def generate(plan: Plan, context: Context) -> list[Table]:
    """Partners, contacts, patients, referrals and touches, in the order they must be
    inserted."""
    rng = np.random.default_rng(plan.seed)
    clock = _Clock(plan)
    partners = _partners(rng, plan, context, clock)
    contacts = _contacts(rng, partners, context)
    referrals = _referrals(rng, plan, partners, contacts, context, clock)
    _set_statuses(rng, partners, referrals, clock)
    patients = _patients(rng, referrals, context, clock)
    touches = _touches(rng, partners, contacts, context, clock)
    hours = _opening_hours(np.random.default_rng([plan.seed, 18]), partners, context)
    return [partners.table, contacts.table, patients, referrals.table, touches, hours]


# Offices open on weekdays (most from 8 or 9 to 5), some short on Fridays or open on
# Saturday mornings; schools, clubs and gyms keep hours nobody enters.
_HOURS_KNOWN = 0.7
_OPENS = np.array([7 * 60 + 30, 8 * 60, 8 * 60 + 30, 9 * 60])
_CLOSES = np.array([16 * 60 + 30, 17 * 60, 17 * 60 + 30, 18 * 60])


def _opening_hours(rng: np.random.Generator, partners: _Partners, context: Context) -> Table:
    """The week of a share of the offices, their own random stream so the other tables
    stay as they were for the same seed."""
    office = (partners.group == 0) & (rng.random(len(partners.ids)) < _HOURS_KNOWN)
    ids = partners.ids[office]
    n = len(ids)
    opens = _OPENS[rng.integers(0, len(_OPENS), n)]
    closes = _CLOSES[rng.integers(0, len(_CLOSES), n)]
    friday_noon = rng.random(n) < 0.15
    saturday = rng.random(n) < 0.1
    weekdays = np.repeat(np.arange(5)[None, :], n, axis=0)
    days = [
        (np.repeat(ids, 5), weekdays.ravel(), np.repeat(opens, 5), np.repeat(closes, 5)),
        (ids[saturday], np.full(saturday.sum(), 5), np.full(saturday.sum(), 9 * 60),
         np.full(saturday.sum(), 12 * 60)),
    ]  # fmt: skip
    partner_id, weekday, open_at, close_at = (np.concatenate(c) for c in zip(*days))
    friday = (weekday == 4) & friday_noon[np.searchsorted(ids, partner_id)]
    close_at = np.where(friday, 12 * 60, close_at)
    order = np.lexsort((weekday, partner_id))
    count = len(order)
    return Table(
        "partner_opening_hours",
        {
            "id": context.first_ids["partner_opening_hours"] + np.arange(count, dtype=np.int64),
            "partner_id": partner_id[order].astype(np.int64),
            "weekday": weekday[order].astype(np.int64),
            "opens": open_at[order].astype(np.int64),
            "closes": close_at[order].astype(np.int64),
        },
    )


class _Clock:
    """Days and minutes since 1970 in the practice's time; `now` bounds everything."""

    def __init__(self, plan: Plan) -> None:
        self.now_minute = (plan.now - EPOCH) // timedelta(minutes=1)
        self.today = (self.now_minute - 300) // MINUTES_PER_DAY
        self.first_day = self.today - 365 * plan.years
        days = np.arange(self.first_day - 365 * 4, self.today + 1)
        self.day0 = int(days[0])
        self.month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        self.weekday = (days + 3) % 7
        # Eastern daylight time, roughly April to October: good enough for business hours.
        self.utc_offset = np.where((self.month >= 3) & (self.month <= 9), 240, 300)

    def month_of(self, day: np.ndarray) -> np.ndarray:
        return self.month[day - self.day0]

    def times(
        self,
        rng: np.random.Generator,
        first: np.ndarray,
        last: np.ndarray,
        accept: np.ndarray,
        row: np.ndarray,
        hour_mean: float,
        hour_sd: float,
    ) -> np.ndarray:
        """A minute for each item: a day in [first, last] kept with probability
        accept[row, day] (thinning gives seasons and quiet weekends) at a business hour."""
        minutes = np.empty(len(first), dtype=np.int64)
        todo = np.arange(len(first))
        while todo.size:
            span = last[todo] - first[todo] + 1
            day = first[todo] + (rng.random(todo.size) * span).astype(np.int64)
            hour = np.clip(rng.normal(hour_mean, hour_sd, todo.size), 7.5, 18.5)
            minute = (
                day * MINUTES_PER_DAY
                + (hour * 60).astype(np.int64)
                + self.utc_offset[day - self.day0]
            )
            keep = (rng.random(todo.size) < accept[row[todo], day - self.day0]) & (
                minute <= self.now_minute
            )
            minutes[todo[keep]] = minute[keep]
            todo = todo[~keep]
        return minutes

    def day_weights(self, weekdays: np.ndarray, strengths: np.ndarray) -> np.ndarray:
        """Rows of acceptance per day, one per seasonal strength, scaled to at most 1."""
        season = _SEASON[self.month]
        rows = (1 + strengths[:, None] * (season[None, :] - 1)) * weekdays[self.weekday][None, :]
        return rows / rows.max()


def _datetimes(minutes: np.ndarray) -> np.ndarray:
    return (minutes.astype(np.int64) * 60_000_000).astype("datetime64[us]")


def _nullable_datetimes(minutes: np.ndarray, present: np.ndarray) -> np.ndarray:
    values = _datetimes(np.where(present, minutes, 0))
    values[~present] = np.datetime64("NaT")
    return values


def _positions(strings: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Each partner at its ZIP centre, as the app places a partner it saves."""
    columns = {name: np.empty(n, dtype=object) for name in positions.COLUMNS}
    for i in range(n):
        address = {"address": strings["address"][i], "city": strings["city"][i]}
        found = positions.from_zip({**address, "state": "MA", "zip": strings["zip"][i]})
        for name, value in found.items():
            columns[name][i] = value
    return columns


def _nullable_ids(ids: np.ndarray, present: np.ndarray) -> np.ndarray:
    values = ids.astype(np.int64).astype(object)
    values[~present] = None
    return values


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], size: int) -> np.ndarray:
    return np.array(options, dtype=object)[rng.integers(0, len(options), size)]


@dataclass
class _Partners:
    table: Table
    ids: np.ndarray
    type_index: np.ndarray
    group: np.ndarray
    tier: np.ndarray  # 0 = A, 1 = B, 2 = C
    owner: np.ndarray  # user id or 0
    territory: np.ndarray
    created_minute: np.ndarray
    weight: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    channel: np.ndarray


def _partners(rng: np.random.Generator, plan: Plan, context: Context, clock: _Clock) -> _Partners:
    n = plan.partners
    type_index = rng.choice(len(TYPES), n, p=np.array([_TYPE_MIX[t] for t in TYPES]))
    types = np.array(TYPES, dtype=object)[type_index]
    group = np.array([_GROUP[t] for t in TYPES])[type_index]
    population = np.array([town.population for town in places.TOWNS], dtype=float) ** 0.8
    town = rng.choice(len(places.TOWNS), n, p=population / population.sum())
    territory = np.array([t.territory for t in places.TOWNS])[town]

    potential = rng.lognormal(0.0, 1.3, n) * np.array([_TYPE_VOLUME[t] for t in TYPES])[type_index]
    never_refers = rng.random(n) < np.array([_NEVER_REFERS[t] for t in TYPES])[type_index]
    weight = np.where(never_refers, 0.0, potential)
    score = np.log(potential) + rng.normal(0.0, 0.6, n)
    rank = np.argsort(np.argsort(-score, kind="stable"), kind="stable") / n
    tier = np.where(rank < 0.15, 0, np.where(rank < 0.5, 1, 2))

    liaisons = np.array(context.liaison_ids, dtype=np.int64)
    usual = liaisons[territory % len(liaisons)]
    other = liaisons[rng.integers(0, len(liaisons), n)]
    owner = np.where(rng.random(n) < 0.85, usual, other)
    owner = np.where((tier == 2) & never_refers & (rng.random(n) < 0.3), 0, owner)

    created_minute, first_day, last_day = _lifetimes(rng, n, clock)
    channel_draw = rng.random(n)
    cumulative = np.cumsum(np.array([_CHANNEL_MIX[t] for t in TYPES]), axis=1)[type_index]
    channel = np.array(_CHANNELS, dtype=object)[
        (channel_draw[:, None] > cumulative).sum(axis=1).clip(max=4)
    ]

    strings = _partner_strings(rng, n, types, town)
    ids = context.first_ids["partner"] + np.arange(n, dtype=np.int64)
    created = _datetimes(created_minute)
    table = Table(
        "partner",
        {
            "id": ids,
            "name": strings["name"],
            "partner_type": types,
            "specialty": strings["specialty"],
            "address": strings["address"],
            "city": strings["city"],
            "state": np.full(n, "MA", dtype=object),
            "zip": strings["zip"],
            "phone": strings["phone"],
            "fax": strings["fax"],
            "website": strings["website"],
            "territory": np.array(places.TERRITORIES, dtype=object)[territory],
            "tier": _TIERS[tier],
            "owner_id": _nullable_ids(owner, owner > 0),
            "referral_channel": np.where(never_refers, "", channel),
            "status": np.full(n, "prospect", dtype=object),
            "sports": strings["sports"],
            "tags": strings["tags"],
            "notes": np.full(n, "", dtype=object),
            "match_key": strings["match_key"],
            **_positions(strings, n),
            "archived_at": np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"),
            "created_at": created,
            "updated_at": created.copy(),
        },
    )
    return _Partners(
        table,
        ids,
        type_index,
        group,
        tier,
        owner,
        territory,
        created_minute,
        weight,
        first_day,
        last_day,
        channel,
    )


def _lifetimes(
    rng: np.random.Generator, n: int, clock: _Clock
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """When each partner was added (a quarter during the window), and the first and last
    day it can refer: some stop well before `now`, to become dormant."""
    joined_in_window = rng.random(n) < 0.25
    window_days = clock.today - clock.first_day
    created_day = np.where(
        joined_in_window,
        clock.first_day + (rng.random(n) * (window_days - 30)).astype(np.int64),
        clock.first_day - (rng.random(n) * 365 * 3).astype(np.int64) - 1,
    )
    created_minute = created_day * MINUTES_PER_DAY + 13 * 60 + rng.integers(0, 240, n)
    first_day = np.clip(created_day + rng.integers(0, 60, n), clock.first_day, clock.today - 7)
    latest_stop = clock.today - DORMANT_AFTER_DAYS - 20
    stops = (rng.random(n) < 0.12) & (first_day + 60 < latest_stop)
    stop_day = first_day + 60 + (rng.random(n) * (latest_stop - first_day - 60)).astype(np.int64)
    return created_minute, first_day, np.where(stops, stop_day, clock.today)


def _partner_strings(
    rng: np.random.Generator, n: int, types: np.ndarray, town: np.ndarray
) -> dict[str, np.ndarray]:
    """Names, addresses and the rest of each partner's text, unique by match key."""
    profile_draw, template_draw = rng.random(n), rng.random(n)
    brand, surname, surname2 = (
        _pick(rng, places.BRANDS, n),
        _pick(rng, places.LAST_NAMES, n),
        _pick(rng, places.LAST_NAMES, n),
    )
    street, number = _pick(rng, places.STREETS, n), rng.integers(1, 1500, n)
    suite = np.where(rng.random(n) < 0.3, rng.integers(1, 6, n) * 100 + rng.integers(0, 20, n), 0)
    zip_draw, area_draw, line, extra = (
        rng.random(n),
        rng.random(n),
        rng.integers(0, 10_000, n),
        rng.random(n),
    )
    tag_count, tag_draw = rng.choice(3, n, p=[0.7, 0.2, 0.1]), rng.random((n, 2))
    sport_count, sport_draw = rng.integers(4, 10, n), rng.random((n, len(places.SPORTS_SCHOOL)))
    out: dict[str, list[str]] = {
        key: []
        for key in (
            "name",
            "specialty",
            "address",
            "city",
            "zip",
            "phone",
            "fax",
            "website",
            "sports",
            "tags",
        )
    }
    for i in range(n):
        kind = types[i]
        profiles = places.PROFILES[kind]
        profile = profiles[int(profile_draw[i] * len(profiles))]
        sport = places.SPORTS_CLUB[int(extra[i] * len(places.SPORTS_CLUB))]
        template = profile.names[int(template_draw[i] * len(profile.names))]
        place = places.TOWNS[town[i]]
        name = template.format(
            town=place.name,
            brand=brand[i],
            surname=surname[i],
            surname2=surname2[i],
            sport=sport.title(),
        )
        address = f"{number[i]} {street[i]}" + (f", Suite {suite[i]}" if suite[i] else "")
        area = places.AREA_CODES[place.territory]
        phone = f"+1{area[int(area_draw[i] * len(area))]}555{line[i]:04d}"
        clinical = _GROUP[kind] == 0
        out["name"].append(name)
        out["specialty"].append(
            profile.specialty if profile.sports != "club" else f"{profile.specialty}: {sport}"
        )
        out["address"].append(address)
        out["city"].append(place.name)
        out["zip"].append(place.zips[int(zip_draw[i] * len(place.zips))])
        out["phone"].append(phone)
        out["fax"].append(f"+1{phone[2:5]}555{(line[i] + 1) % 10_000:04d}" if clinical else "")
        out["website"].append(f"https://www.{_slug(name)}.example.com" if extra[i] < 0.75 else "")
        out["sports"].append(_sports(profile.sports, sport, sport_count[i], sport_draw[i]))
        tags = places.TAGS[
            "clinical" if clinical else "sports" if _GROUP[kind] == 1 else "community"
        ]
        chosen = {tags[int(d * len(tags))] for d in tag_draw[i][: tag_count[i]]}
        out["tags"].append(",".join(sorted(chosen)))
    columns = {key: np.array(values, dtype=object) for key, values in out.items()}
    columns["match_key"] = _unique_match_keys(columns)
    return columns


def _sports(source: str, sport: str, count: int, draw: np.ndarray) -> str:
    if source == "club":
        return sport
    if source == "school":
        order = np.argsort(draw, kind="stable")[:count]
        return ",".join(sorted(places.SPORTS_SCHOOL[j] for j in order))
    return ""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")


def _unique_match_keys(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Two demo partners never look like duplicates of each other to the importer: a
    clash moves the later one to a numbered suite."""
    seen: set[str] = set()
    keys = []
    for i, (name, address) in enumerate(zip(columns["name"], columns["address"])):
        key = match_key(name, address)
        bump = 1
        while key in seen:
            address = f"{columns['address'][i]}, Unit {bump}"
            key, bump = match_key(name, address), bump + 1
        columns["address"][i] = address
        seen.add(key)
        keys.append(key)
    return np.array(keys, dtype=object)


@dataclass
class _Contacts:
    table: Table
    first: np.ndarray  # per partner: index of its first contact
    count: np.ndarray  # per partner: how many contacts it has


def _contacts(rng: np.random.Generator, partners: _Partners, context: Context) -> _Contacts:
    n = len(partners.ids)
    counts = np.zeros((n, len(_ROLES)), dtype=np.int64)
    for t, kind in enumerate(TYPES):
        rows = np.flatnonzero(partners.type_index == t)
        for role, chance, extra in _STAFF[kind]:
            present = rng.random(rows.size) < chance
            counts[rows, _ROLES.index(role)] += present * (1 + rng.poisson(extra, rows.size))
    empty = counts.sum(axis=1) == 0
    counts[empty, _ROLES.index("other")] = 1
    per_partner = counts.sum(axis=1)
    partner_index = np.repeat(np.arange(n), per_partner)
    role_index = np.repeat(np.tile(np.arange(len(_ROLES)), n), counts.ravel())
    m = len(partner_index)
    roles = np.array(_ROLES, dtype=object)[role_index]
    chiropractor = (partners.type_index[partner_index] == TYPES.index("chiropractic")) & (
        roles == "other"
    )
    has_npi = (np.isin(roles, list(_NPI_ROLES)) | chiropractor) & (rng.random(m) < 0.92)
    npis = _npis(rng, m)
    first, last = _pick(rng, places.FIRST_NAMES, m), _pick(rng, places.LAST_NAMES, m)
    has_email = rng.random(m) < 0.85
    opt_out = has_email & (rng.random(m) < 0.05)
    office_phone = rng.random(m) < 0.6
    websites = partners.table.columns["website"][partner_index]
    names = partners.table.columns["name"][partner_index]
    phones = partners.table.columns["phone"][partner_index]
    emails = np.array(
        [
            f"{re.sub(r'[^a-z]', '', f.lower())[:1]}{re.sub(r'[^a-z]', '', last_name.lower())}"
            f"@{w[12:] if w else _slug(nm) + '.example.com'}"
            if e
            else None
            for f, last_name, w, nm, e in zip(first, last, websites, names, has_email)
        ],
        dtype=object,
    )
    created = partners.table.columns["created_at"][partner_index]
    table = Table(
        "contact",
        {
            "id": context.first_ids["contact"] + np.arange(m, dtype=np.int64),
            "partner_id": partners.ids[partner_index],
            "first_name": first,
            "last_name": last,
            "role": roles,
            "email": emails,
            "phone": np.where(office_phone, phones, ""),
            "npi": np.where(has_npi, npis, None),
            "email_opt_out": opt_out,
            "notes": np.full(m, "", dtype=object),
            "archived_at": np.full(m, np.datetime64("NaT"), dtype="datetime64[us]"),
            "created_at": created,
            "updated_at": created.copy(),
        },
    )
    starts = np.concatenate(([0], np.cumsum(per_partner)[:-1]))
    return _Contacts(table, starts, per_partner)


def _npis(rng: np.random.Generator, size: int) -> np.ndarray:
    """Ten-digit NPIs starting with 1 whose last digit is the Luhn check digit of
    80840 followed by the first nine."""
    body = rng.integers(0, 10, (size, 9))
    body[:, 0] = 1
    payload = np.hstack([np.tile([8, 0, 8, 4, 0], (size, 1)), body])
    from_right = payload[:, ::-1]
    doubled = from_right[:, 0::2] * 2
    total = np.where(doubled > 9, doubled - 9, doubled).sum(axis=1) + from_right[:, 1::2].sum(
        axis=1
    )
    check = (10 - total % 10) % 10
    digits = np.hstack([body, check[:, None]])
    number = (digits * (10 ** np.arange(9, -1, -1))).sum(axis=1)
    return np.char.zfill(number.astype(str), 10).astype(object)


@dataclass
class _Referrals:
    table: Table
    partner_index: np.ndarray
    received: np.ndarray


def _referrals(
    rng: np.random.Generator,
    plan: Plan,
    partners: _Partners,
    contacts: _Contacts,
    context: Context,
    clock: _Clock,
) -> _Referrals:
    r = plan.referrals
    active_days = np.maximum(partners.last_day - partners.first_day, 0) + 1
    rate = partners.weight * active_days
    if r == 0 or rate.sum() == 0:
        return _Referrals(Table("referral"), np.zeros(0, np.int64), np.zeros(0, np.int64))
    who = rng.choice(len(rate), r, p=rate / rate.sum())
    accept = clock.day_weights(_REFERRAL_WEEKDAYS, _SEASON_STRENGTH)
    group = partners.group[who]
    received = clock.times(
        rng, partners.first_day[who], partners.last_day[who], accept, group, 12.5, 2.6
    )
    order = np.lexsort((np.arange(r), received))
    who, group, received = who[order], group[order], received[order]

    month = clock.month_of((received - 300) // MINUTES_PER_DAY)
    mix = np.repeat(_SERVICE_MIX[:, None, :], 12, axis=1)
    mix[:, :, _CONCUSSION] *= _CONCUSSION_BY_MONTH[None, :]
    mix /= mix.sum(axis=2, keepdims=True)
    cumulative = np.cumsum(mix, axis=2)[group, month]
    service = (rng.random(r)[:, None] > cumulative).sum(axis=1).clip(max=len(_SERVICE_LINES) - 1)

    funnel = _funnel(rng, r, received, group, clock.now_minute)
    channel = np.where(rng.random(r) < 0.85, partners.channel[who], _pick(rng, _CHANNELS, r))
    has_reference = np.isin(channel, ["portal", "fax"]) & (rng.random(r) < 0.7)
    serial = (np.arange(r, dtype=np.int64) * 7919 + plan.seed * 104_729) % 100_000_000
    references = np.where(
        has_reference, np.char.add("R-", np.char.zfill(serial.astype(str), 8)).astype(object), None
    )

    has_contact = (rng.random(r) < 0.8) & (contacts.count[who] > 0)
    web = _web_form(plan, received, clock.now_minute, contacts.count[who] > 0)
    channel = np.where(web.sent, ReferralChannel.WEB_FORM.value, channel)
    references = np.where(
        web.sent,
        np.where(
            web.referenced,
            np.char.add("W-", np.char.zfill(serial.astype(str), 8)).astype(object),
            None,
        ),
        references,
    )
    has_contact |= (channel == ReferralChannel.WEB_FORM.value) & (contacts.count[who] > 0)
    pick = np.where(rng.random(r) < 0.6, 0, (rng.random(r) * contacts.count[who]).astype(np.int64))
    contact_ids = contacts.table.columns["id"][
        np.minimum(contacts.first[who] + pick, len(contacts.table) - 1)
    ]
    locations = np.array(context.location_ids, dtype=np.int64)
    home = np.zeros(len(places.TERRITORIES), dtype=np.int64)
    for index, clinic in enumerate(places.CLINICS):
        home[list(clinic.territories)] = index
    location = np.where(
        rng.random(r) < 0.85,
        locations[home[partners.territory[who]]],
        locations[rng.integers(0, len(locations), r)],
    )
    stamped = [funnel["contacted"], funnel["scheduled"], funnel["visited"], funnel["lost_at"]]
    updated = np.max([np.where(s >= 0, s, received) for s in stamped], axis=0)
    table = Table(
        "referral",
        {
            "id": context.first_ids["referral"] + np.arange(r, dtype=np.int64),
            "partner_id": partners.ids[who],
            "contact_id": _nullable_ids(contact_ids, has_contact),
            "patient_id": np.full(r, None, dtype=object),
            "received_at": _datetimes(received),
            "partner_reference": references,
            "channel": channel,
            "service_line": np.array(_SERVICE_LINES, dtype=object)[service],
            "location_id": location,
            "contacted_at": _nullable_datetimes(funnel["contacted"], funnel["contacted"] >= 0),
            "scheduled_at": _nullable_datetimes(funnel["scheduled"], funnel["scheduled"] >= 0),
            "first_visit_at": _nullable_datetimes(funnel["visited"], funnel["visited"] >= 0),
            "status": funnel["status"],
            "lost_reason": funnel["lost_reason"],
            "urgency": web.urgency,
            "created_at": _datetimes(received),
            "updated_at": _datetimes(updated),
        },
    )
    return _Referrals(table, who, received)


# The partner link's form: its share of the referrals of the last WEB_FORM_DAYS (the
# status page's period), how many say "soon", and how many carry the office's reference.
WEB_FORM_DAYS = 90
WEB_FORM_SHARE = 0.3
WEB_FORM_SOON = 0.2
WEB_FORM_REFERENCED = 0.6


@dataclass
class _WebForm:
    sent: np.ndarray  # bool: the referral came through the partner link
    urgency: np.ndarray  # what the form set ("routine" for every other channel)
    referenced: np.ndarray  # bool: the office gave its own reference


def _web_form(
    plan: Plan, received: np.ndarray, now_minute: int, has_contacts: np.ndarray
) -> _WebForm:
    """Which recent referrals a partner sent through its link, as the intake form makes
    them: a contact who refers (the form asks for one), an urgency, often the office's own
    reference. Drawn from a generator of their own, so the rest of the demo is the same
    with or without them."""
    rng = np.random.default_rng([plan.seed, 15])
    r = len(received)
    recent = received >= now_minute - WEB_FORM_DAYS * MINUTES_PER_DAY
    sent = recent & has_contacts & (rng.random(r) < WEB_FORM_SHARE)
    soon = sent & (rng.random(r) < WEB_FORM_SOON)
    urgency = np.where(soon, Urgency.SOON.value, Urgency.ROUTINE.value).astype(object)
    return _WebForm(sent, urgency, sent & (rng.random(r) < WEB_FORM_REFERENCED))


def _funnel(
    rng: np.random.Generator, r: int, received: np.ndarray, group: np.ndarray, now_minute: int
) -> dict[str, np.ndarray]:
    """Each stage happens with some chance after a skewed delay; a stage that would fall
    after `now` has not happened yet, and a referral is lost only once its chance has
    visibly passed (two weeks unreached, three weeks unscheduled, a missed visit)."""

    def hours(median: float, sigma: float) -> np.ndarray:
        return (rng.lognormal(np.log(median * 60), sigma, r)).astype(np.int64) + 5

    contact_at = received + hours(18, 0.9)
    contact_ok = rng.random(r) < 0.95
    slow = contact_at - received > 48 * 60
    schedule_at = contact_at + hours(20, 1.0)
    schedule_ok = rng.random(r) < np.where(group == 2, 0.70, 0.83) - np.where(slow, 0.15, 0.0)
    visit_at = schedule_at + hours(3.5 * 24, 0.75)
    visit_ok = rng.random(r) < 0.9

    contacted = contact_ok & (contact_at <= now_minute)
    scheduled = contacted & schedule_ok & (schedule_at <= now_minute)
    visited = scheduled & visit_ok & (visit_at <= now_minute)
    lost_stage = np.full(r, -1)
    lost_at = np.full(r, -1, dtype=np.int64)
    for stage, (failed, decided) in enumerate(
        (
            (~contact_ok, received + 14 * MINUTES_PER_DAY),
            (contacted & ~schedule_ok, contact_at + 21 * MINUTES_PER_DAY),
            (scheduled & ~visit_ok, visit_at),
        )
    ):
        now_lost = failed & (decided <= now_minute) & (lost_stage < 0)
        lost_stage[now_lost] = stage
        lost_at[now_lost] = decided[now_lost]
    lost = lost_stage >= 0
    reason_draw = rng.random(r)
    reasons = np.full(r, "", dtype=object)
    for stage, options in enumerate(places.LOST_REASONS):
        rows = lost_stage == stage
        reasons[rows] = np.array(options, dtype=object)[
            (reason_draw[rows] * len(options)).astype(np.int64)
        ]
    status = np.select(
        [lost, visited, scheduled, contacted],
        ["lost", "completed", "scheduled", "contacted"],
        "received",
    ).astype(object)
    return {
        "contacted": np.where(contacted, contact_at, -1),
        "scheduled": np.where(scheduled, schedule_at, -1),
        "visited": np.where(visited, visit_at, -1),
        "lost_at": lost_at,
        "status": status,
        "lost_reason": reasons,
    }


def _set_statuses(
    rng: np.random.Generator, partners: _Partners, referrals: _Referrals, clock: _Clock
) -> None:
    """A partner's status follows its referrals: a source if it referred lately, dormant
    if it stopped, otherwise a prospect (a few engaged, a few asked not to be contacted)."""
    n = len(partners.ids)
    count = np.bincount(referrals.partner_index, minlength=n)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, referrals.partner_index, referrals.received)
    recent = last >= clock.now_minute - DORMANT_AFTER_DAYS * MINUTES_PER_DAY
    draw = rng.random(n)
    never = np.where(draw < 0.4, "engaged", np.where(draw < 0.985, "prospect", "do_not_contact"))
    status = np.where(count == 0, never, np.where(recent, "referral_source", "dormant")).astype(
        object
    )
    partners.table.columns["status"] = status


def _patients(
    rng: np.random.Generator, referrals: _Referrals, context: Context, clock: _Clock
) -> Table:
    """A few recent patients, each linked to the referral that brought them in, so the
    follow-up and review screens have someone to show."""
    columns = referrals.table.columns
    if not columns:
        return Table("patient")
    scheduled = columns["scheduled_at"]
    since = _datetimes(np.array([clock.now_minute - 180 * MINUTES_PER_DAY]))[0]
    recent = ~np.isnat(scheduled) & (scheduled >= since)
    eligible = np.flatnonzero(recent)
    size = min(len(eligible), max(20, len(columns["id"]) // 50), 10_000)
    chosen = np.sort(rng.choice(eligible, size, replace=False)) if size else eligible[:0]
    ids = context.first_ids["patient"] + np.arange(size, dtype=np.int64)
    columns["patient_id"][chosen] = ids.astype(object)
    first, last = _pick(rng, places.FIRST_NAMES, size), _pick(rng, places.LAST_NAMES, size)
    has_email, has_phone = rng.random(size) < 0.8, rng.random(size) < 0.9
    consent = rng.random(size) < 0.75
    emails = np.array(
        [
            f"{re.sub(r'[^a-z]', '', f.lower())}.{re.sub(r'[^a-z]', '', last_name.lower())}{k % 97}@example.net"
            if e
            else None
            for f, last_name, k, e in zip(first, last, ids, has_email)
        ],
        dtype=object,
    )
    phones = np.array([f"+1617555{d:04d}" for d in rng.integers(0, 10_000, size)], dtype=object)
    when = scheduled[chosen]
    return Table(
        "patient",
        {
            "id": ids,
            "first_name": first,
            "last_name": last,
            "email": emails,
            "phone": np.where(has_phone, phones, ""),
            "consent_to_contact": consent,
            "consent_at": np.where(consent, when, np.datetime64("NaT")).astype("datetime64[us]"),
            "consent_source": np.where(consent, _pick(rng, places.CONSENT_SOURCES, size), ""),
            "location_id": columns["location_id"][chosen],
            "created_at": when,
            "updated_at": when.copy(),
        },
    )


def _touches(
    rng: np.random.Generator,
    partners: _Partners,
    contacts: _Contacts,
    context: Context,
    clock: _Clock,
) -> Table:
    """Liaison activity: more for tier A, some courting of prospects, winning back the
    dormant, nothing for partners who asked not to be contacted."""
    status = partners.table.columns["status"]
    created_day = partners.created_minute // MINUTES_PER_DAY
    first = np.maximum(created_day, clock.first_day)
    first = np.where(status == "engaged", np.maximum(first, clock.today - 365), first)
    months = (clock.today - first + 1) / 30.4
    by_status = {
        "referral_source": 1.0,
        "dormant": 0.7,
        "engaged": 1.0,
        "prospect": 0.25,
        "do_not_contact": 0.0,
    }
    multiplier = np.array([by_status[s] for s in status])
    count = rng.poisson(_TOUCHES_PER_MONTH_BY_TIER[partners.tier] * multiplier * months)
    who = np.repeat(np.arange(len(count)), count)
    t = len(who)
    if t == 0:
        return Table("touch")
    accept = clock.day_weights(_TOUCH_WEEKDAYS, np.array([0.0]))
    when = clock.times(
        rng, first[who], np.full(t, clock.today), accept, np.zeros(t, dtype=np.int64), 12.0, 2.2
    )
    order = np.lexsort((np.arange(t), when))
    who, when = who[order], when[order]

    sports_like = (partners.group[who] > 0).astype(np.int64)
    cumulative = np.cumsum(_KIND_MIX / _KIND_MIX.sum(axis=2, keepdims=True), axis=2)[
        sports_like, partners.tier[who]
    ]
    kind = np.array(_KINDS, dtype=object)[
        (rng.random(t)[:, None] > cumulative).sum(axis=1).clip(max=len(_KINDS) - 1)
    ]
    outcome = np.empty(t, dtype=object)
    draw = rng.random(t)
    for name, options in places.TOUCH_OUTCOMES.items():
        rows = kind == name
        outcome[rows] = np.array(options, dtype=object)[
            (draw[rows] * len(options)).astype(np.int64)
        ]

    liaisons = np.array(context.liaison_ids, dtype=np.int64)
    owner = partners.owner[who]
    user = np.where(
        (owner > 0) & (rng.random(t) < 0.85), owner, liaisons[rng.integers(0, len(liaisons), t)]
    )
    has_contact = (rng.random(t) < 0.65) & (contacts.count[who] > 0)
    contact_index = contacts.first[who] + (rng.random(t) * contacts.count[who]).astype(np.int64)
    contact_ids = contacts.table.columns["id"][np.minimum(contact_index, len(contacts.table) - 1)]
    stamp = _datetimes(when)
    return Table(
        "touch",
        {
            "id": context.first_ids["touch"] + np.arange(t, dtype=np.int64),
            "partner_id": partners.ids[who],
            "contact_id": _nullable_ids(contact_ids, has_contact),
            "user_id": user,
            "kind": kind,
            "occurred_at": stamp,
            "outcome": outcome,
            "notes": np.full(t, "", dtype=object),
            "created_at": stamp.copy(),
        },
    )
