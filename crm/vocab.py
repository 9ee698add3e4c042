"""The controlled vocabularies of the CRM.

Values are stored as short lowercase strings (not database enums) so that adding a
value is a code change, not a migration; labels are what a marketer reads.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache, lru_cache

from crm.errors import InvalidInput


class Vocabulary(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())

    @classmethod
    def parse(cls, raw: str) -> Vocabulary:
        """Match a value, its label or a common alias, ignoring case and punctuation."""
        return _parse(cls, raw)

    @classmethod
    def choices(cls) -> list[str]:
        return [m.value for m in cls]


@lru_cache(maxsize=4_096)
def _parse(cls: type[Vocabulary], raw: str) -> Vocabulary:
    """Remembered per spelling: a file writes its few values the same way row after row."""
    key = _squash(raw)
    member = _spellings(cls).get(key)
    if member is not None:
        return member
    alias = _ALIASES.get(cls.__name__, {}).get(key)
    if alias is not None:
        return cls(alias)
    allowed = ", ".join(m.label for m in cls)
    raise InvalidInput(f"unknown value {raw!r}; expected one of: {allowed}")


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@cache
def _spellings(kind: type[Vocabulary]) -> dict[str, Vocabulary]:
    """Each member by its value and label, squashed once: an import parses every row's.
    The first member to claim a spelling keeps it, as a scan in order would."""
    found: dict[str, Vocabulary] = {}
    for member in kind:
        for spelling in (_squash(member.value), _squash(member.label)):
            found.setdefault(spelling, member)
    return found


class Role(Vocabulary):
    ADMIN = "admin"
    MARKETER = "marketer"
    VIEWER = "viewer"


class PartnerType(Vocabulary):
    PRIMARY_CARE = "primary_care"
    PHYSICAL_THERAPY = "physical_therapy"
    ORTHOPEDICS = "orthopedics"
    URGENT_CARE = "urgent_care"
    CHIROPRACTIC = "chiropractic"
    SCHOOL = "school"
    SPORTS_CLUB = "sports_club"
    ATHLETIC_TRAINING = "athletic_training"
    GYM_WELLNESS = "gym_wellness"
    COMMUNITY = "community"
    OTHER = "other"


class Tier(Vocabulary):
    A = "A"
    B = "B"
    C = "C"


class ReferralChannel(Vocabulary):
    PHONE = "phone"
    FAX = "fax"
    EMAIL = "email"
    PORTAL = "portal"
    WEB_FORM = "web_form"


class PartnerStatus(Vocabulary):
    PROSPECT = "prospect"
    ENGAGED = "engaged"
    REFERRAL_SOURCE = "referral_source"
    DORMANT = "dormant"
    DO_NOT_CONTACT = "do_not_contact"


class ContactRole(Vocabulary):
    PHYSICIAN = "physician"
    NP_PA = "np_pa"
    OFFICE_MANAGER = "office_manager"
    REFERRAL_COORDINATOR = "referral_coordinator"
    ATHLETIC_TRAINER = "athletic_trainer"
    COACH = "coach"
    PHYSICAL_THERAPIST = "physical_therapist"
    FRONT_DESK = "front_desk"
    OTHER = "other"


class TouchKind(Vocabulary):
    EMAIL = "email"
    CALL = "call"
    VISIT = "visit"
    LUNCH_AND_LEARN = "lunch_and_learn"
    IN_SERVICE = "in_service"
    MATERIALS_DROP_OFF = "materials_drop_off"
    EVENT_ATTENDANCE = "event_attendance"


class ReferralStatus(Vocabulary):
    RECEIVED = "received"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    LOST = "lost"


class ServiceLine(Vocabulary):
    """Categories of care, deliberately coarse: never a diagnosis."""

    KNEE = "knee"
    SHOULDER = "shoulder"
    SPINE = "spine"
    HIP = "hip"
    FOOT_ANKLE = "foot_ankle"
    HAND_WRIST = "hand_wrist"
    CONCUSSION = "concussion"
    SPORTS_PERFORMANCE = "sports_performance"
    GENERAL = "general"


class Urgency(Vocabulary):
    """How soon the partner asks us to call the patient: a scheduling hint, not triage."""

    ROUTINE = "routine"
    SOON = "soon"


class StepAction(Vocabulary):
    EMAIL = "email"
    CALL = "call"
    VISIT = "visit"
    DROP_OFF = "drop_off"


class CadencePurpose(Vocabulary):
    PROSPECTING = "prospecting"
    NURTURE = "nurture"
    WIN_BACK = "win_back"
    OTHER = "other"


class Recurrence(Vocabulary):
    NONE = ""
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class EnrolmentStatus(Vocabulary):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    EXITED = "exited"


class ExitReason(Vocabulary):
    REFERRAL_SOURCE = "referral_source"
    UNSUBSCRIBED = "unsubscribed"
    DO_NOT_CONTACT = "do_not_contact"
    REPLIED = "replied"
    MANUAL = "manual"


class TaskStatus(Vocabulary):
    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class MessageStatus(Vocabulary):
    """An outbox message's state; `unknown` is a send that may or may not have gone out."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class EventKind(Vocabulary):
    LUNCH_AND_LEARN = "lunch_and_learn"
    IN_SERVICE = "in_service"
    INJURY_PREVENTION_TALK = "injury_prevention_talk"
    CME_EVENING = "cme_evening"
    OPEN_HOUSE = "open_house"


class UpdatePreference(Vocabulary):
    PER_REFERRAL = "per_referral"
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"


_LABELS: dict[str, str] = {
    "primary_care": "Primary care",
    "physical_therapy": "Physical therapy",
    "urgent_care": "Urgent care",
    "sports_club": "Sports club",
    "athletic_training": "Athletic training",
    "gym_wellness": "Gym/wellness",
    "community": "Community organization",
    "web_form": "Web form",
    "referral_source": "Referral source",
    "do_not_contact": "Do not contact",
    "np_pa": "NP/PA",
    "office_manager": "Office manager",
    "referral_coordinator": "Referral coordinator",
    "athletic_trainer": "Athletic trainer",
    "physical_therapist": "Physical therapist",
    "front_desk": "Front desk",
    "lunch_and_learn": "Lunch-and-learn",
    "in_service": "In-service",
    "materials_drop_off": "Materials drop-off",
    "event_attendance": "Event attendance",
    "foot_ankle": "Foot & ankle",
    "hand_wrist": "Hand & wrist",
    "sports_performance": "Sports performance",
    "drop_off": "Materials drop-off",
    "injury_prevention_talk": "Injury-prevention talk",
    "cme_evening": "CME evening",
    "per_referral": "Each referral",
    "win_back": "Win-back",
    "": "None",
    "A": "A",
    "B": "B",
    "C": "C",
}

_ALIASES: dict[str, dict[str, str]] = {
    "PartnerType": {
        "pcp": "primary_care",
        "familymedicine": "primary_care",
        "internalmedicine": "primary_care",
        "pediatrics": "primary_care",
        "pt": "physical_therapy",
        "physicaltherapist": "physical_therapy",
        "ortho": "orthopedics",
        "orthopaedics": "orthopedics",
        "orthopedic": "orthopedics",
        "urgentcarecenter": "urgent_care",
        "chiropractor": "chiropractic",
        "highschool": "school",
        "college": "school",
        "university": "school",
        "club": "sports_club",
        "athletictrainer": "athletic_training",
        "at": "athletic_training",
        "gym": "gym_wellness",
        "wellness": "gym_wellness",
        "fitness": "gym_wellness",
        "communityorganization": "community",
        "nonprofit": "community",
        # HubSpot's Industry values (its companies export has no partner type).
        "medicalpractice": "other",
        "hospitalhealthcare": "other",
        "healthwellnessandfitness": "gym_wellness",
        "sports": "sports_club",
        "primarysecondaryeducation": "school",
        "educationmanagement": "school",
        "highereducation": "school",
        "nonprofitorganizationmanagement": "community",
        "civicsocialorganization": "community",
    },
    "ContactRole": {
        "md": "physician",
        "do": "physician",
        "doctor": "physician",
        "np": "np_pa",
        "pa": "np_pa",
        "nursepractitioner": "np_pa",
        "physicianassistant": "np_pa",
        "manager": "office_manager",
        "coordinator": "referral_coordinator",
        "atc": "athletic_trainer",
        "pt": "physical_therapist",
        "receptionist": "front_desk",
    },
    "ReferralChannel": {"webform": "web_form", "online": "web_form", "ehr": "portal"},
    "TouchKind": {"phonecall": "call", "lunch": "lunch_and_learn", "dropoff": "materials_drop_off"},
}
