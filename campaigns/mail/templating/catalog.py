"""The built-in email templates: what each is for, the variables it may use and the
sample values a preview and an override's validation render with.

A template sees only its declared variables (and the layout's own), so what a template
*can* say is decided here, in review, not by whoever edits it later. Patient-facing
templates never declare anything clinical: the practice must not put a service line,
diagnosis or visit reason in an email a family member might read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from campaigns.mail.templating.errors import TemplateError
from campaigns.post import TemplateSource

TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "templates" / "email"

Kind = Literal["marketing", "transactional"]
Audience = Literal["partner", "patient", "staff"]

# The layout's own variables, which every template may use as well.
LAYOUT_VARIABLES: dict[str, str] = {
    "practice_name": "The practice's name, as in the header",
    "postal_address": "The practice's postal address, as in the footer",
    "unsubscribe_url": "The recipient's unsubscribe link (empty for transactional emails)",
    "current_year": "This year, e.g. 2026",
}

# What every partner email may use as well, filled in from the message's partner (the
# link of crm.partner_links), so a marketer can add it to any partner template.
PARTNER_VARIABLES: dict[str, str] = {
    "partner_link": "The partner's own page: send a patient, see its referrals "
    "(empty when the email is to no partner)",
}
SAMPLE_PARTNER_LINK = "https://liaison.example.org/p/sample-partner-link"

# Fragments of a variable name that would mean clinical detail in a patient's email.
CLINICAL_TERMS = (
    "diagnos",
    "condition",
    "injur",
    "reason",
    "service",
    "specialty",
    "procedure",
    "treatment",
    "symptom",
    "clinical",
    "medical",
    "visit",
    "provider",
    "surgery",
)


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    title: str
    kind: Kind
    audience: Audience
    description: str
    variables: dict[str, str]
    sample: dict[str, str] = field(default_factory=dict)
    in_cadences: bool = True  # may be a cadence step's email (its values typed once)

    def __post_init__(self) -> None:
        # Checked when the module loads, so a bad declaration never reaches a recipient.
        if set(self.sample) != set(self.variables):
            raise ValueError(f"{self.name}: sample values must match the declared variables")
        if set(self.variables) & (set(LAYOUT_VARIABLES) | set(PARTNER_VARIABLES)):
            raise ValueError(f"{self.name}: a template cannot redeclare a shared variable")
        if self.audience == "patient" and clinical_variables(self):
            raise ValueError(
                f"{self.name}: a patient email cannot carry {clinical_variables(self)}"
            )

    @property
    def shared_variables(self) -> dict[str, str]:
        """The variables this template may use besides its own."""
        if self.audience == "partner":
            return {**LAYOUT_VARIABLES, **PARTNER_VARIABLES}
        return dict(LAYOUT_VARIABLES)

    @property
    def allowed_names(self) -> frozenset[str]:
        return frozenset(self.variables) | frozenset(self.shared_variables)


def clinical_variables(spec: TemplateSpec) -> list[str]:
    return [v for v in spec.variables if any(term in v.lower() for term in CLINICAL_TERMS)]


def builtin_path(name: str, part: str) -> Path:
    """`part` is "subject", "html" or "text"; the layout is the template named "layout"."""
    suffix = {"subject": ".subject.txt", "html": ".html", "text": ".txt"}[part]
    return TEMPLATE_DIR / f"{name}{suffix}"


# Variables shared by several templates, described once.
_CONTACT = {"contact_first_name": "The partner contact's first name"}
_PARTNER = {"partner_name": "The partner's name, e.g. Riverside Family Medicine"}
_SENDER = {"sender_name": "Who signs the email, e.g. the liaison's name"}
_EVENT = {
    "event_title": "The event's title",
    "event_starts_at": "When it starts, already formatted, e.g. Thursday, March 5 at 6:30 PM",
    "event_location": "Where it is held (a place or 'Online')",
}
_SAMPLE_CONTACT = {"contact_first_name": "Jordan"}
_SAMPLE_PARTNER = {"partner_name": "Riverside Family Medicine"}
_SAMPLE_SENDER = {"sender_name": "Casey Morgan"}
_SAMPLE_EVENT = {
    "event_title": "Return-to-Play After Ankle Sprains",
    "event_starts_at": "Thursday, March 5, 2026 at 6:30 PM",
    "event_location": "Main Street Clinic, Conference Room B",
}
_SEASON = {
    **_CONTACT,
    **_PARTNER,
    **_SENDER,
    "sport_names": "The sports this partner covers, already joined, e.g. football and soccer",
    "resource_url": "Link to the season's guide or handout",
}
_SAMPLE_SEASON = {
    **_SAMPLE_CONTACT,
    **_SAMPLE_PARTNER,
    **_SAMPLE_SENDER,
    "sport_names": "football and soccer",
    "resource_url": "https://practice.example.org/guides/season",
}
_PATIENT = {
    "patient_first_name": "The patient's first name",
    "location_name": "The clinic they visited, e.g. Main Street Clinic",
    "review_url": "Link to the review page",
}
_SAMPLE_PATIENT = {
    "patient_first_name": "Sam",
    "location_name": "Main Street Clinic",
    "review_url": "https://practice.example.org/review/abc123",
}

_SURVEY_QUESTIONS = {
    "communication": "communication",
    "credibility": "credibility",
    "capacity": "capacity",
    "consistency": "consistency",
    "recommend": "how likely they are to recommend us",
}


def _specs() -> list[TemplateSpec]:
    return [
        TemplateSpec(
            "partner_checkin",
            "Partner check-in",
            "marketing",
            "partner",
            "A short personal note to keep in touch with a referring partner.",
            {**_CONTACT, **_PARTNER, **_SENDER},
            {**_SAMPLE_CONTACT, **_SAMPLE_PARTNER, **_SAMPLE_SENDER},
        ),
        TemplateSpec(
            "partner_education_update",
            "Partner education update",
            "marketing",
            "partner",
            "News a partner can use with their patients, with a link to read more.",
            {
                **_CONTACT,
                **_SENDER,
                "update_title": "The update's headline",
                "update_summary": "Two or three sentences about it",
                "update_url": "Link to read more",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_SENDER,
                "update_title": "New same-week sports injury slots",
                "update_summary": "Athletes referred by Monday are now seen the same week at every clinic.",
                "update_url": "https://practice.example.org/news/same-week",
            },
        ),
        TemplateSpec(
            "event_invitation",
            "Event invitation",
            "marketing",
            "partner",
            "Invites a partner to a talk, course or open house.",
            {
                **_CONTACT,
                **_EVENT,
                "event_description": "A sentence or two about the event",
                "rsvp_url": "Link to answer Yes",
                "rsvp_no_url": "Link to answer No",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_EVENT,
                "event_description": "A practical hour on grading sprains and when to send athletes back.",
                "rsvp_url": "https://practice.example.org/rsvp/yes-token",
                "rsvp_no_url": "https://practice.example.org/rsvp/no-token",
            },
        ),
        TemplateSpec(
            "event_reminder",
            "Event reminder",
            "transactional",
            "partner",
            "Reminds a partner who said yes that the event is coming up.",
            {**_CONTACT, **_EVENT, "event_url": "Link to the event's page"},
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_EVENT,
                "event_url": "https://practice.example.org/events/42",
            },
        ),
        TemplateSpec(
            "event_follow_up",
            "Event follow-up",
            "marketing",
            "partner",
            "Thanks a partner for coming and shares the slides or handouts.",
            {
                **_CONTACT,
                **_SENDER,
                "event_title": _EVENT["event_title"],
                "resources_url": "Link to the slides or handouts",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_SENDER,
                "event_title": _SAMPLE_EVENT["event_title"],
                "resources_url": "https://practice.example.org/events/42/slides",
            },
        ),
        TemplateSpec(
            "event_update",
            "Event update",
            "transactional",
            "partner",
            "Tells everyone invited that an event's time, place or details changed.",
            {**_CONTACT, **_EVENT, "event_description": "A sentence or two about the event"},
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_EVENT,
                "event_description": "A practical hour on grading sprains and when to send athletes back.",
            },
        ),
        TemplateSpec(
            "event_cancelled",
            "Event cancelled",
            "transactional",
            "partner",
            "Tells everyone invited that an event will not take place.",
            {**_CONTACT, **_EVENT},
            {**_SAMPLE_CONTACT, **_SAMPLE_EVENT},
        ),
        TemplateSpec(
            "event_seat_open",
            "Event seat confirmed",
            "transactional",
            "partner",
            "Tells someone on an event's wait list that a seat opened up and is now theirs.",
            {**_CONTACT, **_EVENT, "rsvp_no_url": "Link to give the seat back"},
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_EVENT,
                "rsvp_no_url": "https://practice.example.org/rsvp/no-token",
            },
        ),
        TemplateSpec(
            "event_follow_up_missed",
            "Event follow-up (missed it)",
            "marketing",
            "partner",
            "For those invited who could not come: a recap, the slides, and how to refer.",
            {
                **_CONTACT,
                **_SENDER,
                "event_title": _EVENT["event_title"],
                "resources_url": "Link to the slides or handouts",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_SENDER,
                "event_title": _SAMPLE_EVENT["event_title"],
                "resources_url": "https://practice.example.org/events/42/slides",
            },
        ),
        TemplateSpec(
            "review_request",
            "Patient review request",
            "marketing",
            "patient",
            "Asks a patient who consented to contact to review the clinic.",
            dict(_PATIENT),
            dict(_SAMPLE_PATIENT),
        ),
        TemplateSpec(
            "review_reminder",
            "Review reminder",
            "marketing",
            "patient",
            "One gentle reminder for a patient who has not reviewed yet.",
            dict(_PATIENT),
            dict(_SAMPLE_PATIENT),
        ),
        TemplateSpec(
            "preseason_education",
            "Pre-season education",
            "marketing",
            "partner",
            "Before the season: screening and preparation tips for the sports a partner covers.",
            dict(_SEASON),
            dict(_SAMPLE_SEASON),
        ),
        TemplateSpec(
            "midseason_education",
            "Mid-season education",
            "marketing",
            "partner",
            "During the season: spotting overuse early and when to refer.",
            dict(_SEASON),
            dict(_SAMPLE_SEASON),
        ),
        TemplateSpec(
            "postseason_education",
            "Post-season education",
            "marketing",
            "partner",
            "After the season: recovery, and getting lingering problems seen.",
            dict(_SEASON),
            dict(_SAMPLE_SEASON),
        ),
        TemplateSpec(
            "referral_acknowledgment",
            "Referral acknowledgment",
            "transactional",
            "partner",
            "Tells the referring partner their referral arrived. It names no patient: "
            "the partner matches it by their own reference and the date.",
            {
                **_CONTACT,
                **_PARTNER,
                "referral_received_on": "The date it arrived, e.g. March 3, 2026",
                "partner_reference": "The partner's own reference for the referral (may be empty)",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_PARTNER,
                "referral_received_on": "March 3, 2026",
                "partner_reference": "RFM-20931",
            },
        ),
        TemplateSpec(
            "referral_status_update",
            "Referral status update",
            "transactional",
            "partner",
            "Tells the referring partner a referral was scheduled or its first visit completed. "
            "It names no patient and no service line: a reference, dates and the status only.",
            {
                **_CONTACT,
                **_PARTNER,
                "referral_received_on": "The date it arrived, e.g. March 3, 2026",
                "referral_label": "The partner's own reference, or else our referral number",
                "status_label": "What happened, e.g. Scheduled or First visit completed",
                "status_date": "When it happened, e.g. March 5, 2026",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_PARTNER,
                "referral_received_on": "March 3, 2026",
                "referral_label": "RFM-20931",
                "status_label": "Scheduled",
                "status_date": "March 5, 2026",
            },
        ),
        TemplateSpec(
            "referral_digest",
            "Referral digest",
            "transactional",
            "partner",
            "A partner's daily or weekly summary of their referrals' progress: one line per update, "
            "each a reference, a status and a date, never a patient.",
            {
                **_CONTACT,
                **_PARTNER,
                "period_label": "The period covered, e.g. November 24, 2026",
                "update_lines": "One line per update, e.g. RFM-20931: Scheduled on March 5, 2026",
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_PARTNER,
                "period_label": "November 24, 2026",
                "update_lines": [
                    "RFM-20931: Received on March 3, 2026",  # type: ignore[dict-item]
                    "No. 4417: Scheduled on March 5, 2026",
                ],
            },
        ),
        TemplateSpec(
            "first_referral_thanks",
            "First referral thank-you",
            "transactional",
            "partner",
            "Thanks a partner for their very first referral.",
            {**_CONTACT, **_PARTNER},
            {**_SAMPLE_CONTACT, **_SAMPLE_PARTNER},
        ),
        TemplateSpec(
            "referral_milestone",
            "Referral milestone",
            "transactional",
            "partner",
            "Thanks a partner when their referrals reach a milestone (LIAISON_REFERRAL_MILESTONES).",
            {
                **_CONTACT,
                **_PARTNER,
                "referral_count": "How many referrals they have sent, e.g. 10",
            },
            {**_SAMPLE_CONTACT, **_SAMPLE_PARTNER, "referral_count": "10"},
        ),
        TemplateSpec(
            "partner_survey",
            "Partner survey (Four C's)",
            "marketing",
            "partner",
            "The quarter's five-question survey: communication, credibility, capacity, "
            "consistency and whether they would recommend us, each with one-click scores "
            "1 to 5, and a link to the page that takes a comment. Also sent once as the "
            "reminder (with `reminder` set).",
            {
                **_CONTACT,
                **_PARTNER,
                **_SENDER,
                "reminder": "Set (yes) in the one reminder, empty in the survey itself",
                "survey_url": "Link to the whole survey, where they can also leave a comment",
                **{
                    f"{question}_links": f"The five score links (1 to 5) for {label}"
                    for question, label in _SURVEY_QUESTIONS.items()
                },
            },
            {
                **_SAMPLE_CONTACT,
                **_SAMPLE_PARTNER,
                **_SAMPLE_SENDER,
                "reminder": "",
                "survey_url": "https://practice.example.org/p/survey/token",
                **{
                    f"{question}_links": [  # type: ignore[misc]
                        f"https://practice.example.org/p/survey/token?q={question}&s={score}"
                        for score in range(1, 6)
                    ]
                    for question in _SURVEY_QUESTIONS
                },
            },
            in_cadences=False,  # its score links are the recipient's own survey's
        ),
        TemplateSpec(
            "dormancy_digest",
            "Dormancy digest (to liaisons)",
            "transactional",
            "staff",
            "Monday's note to each liaison about their partners whose referrals fell well below "
            "their usual rate. Staff mail: partner names and counts only, never a patient.",
            {
                "recipient_first_name": "The liaison's first name",
                "partner_count": "How many of their partners may be going quiet, e.g. 3",
                "window_days": "The recent window in days, e.g. 90",
                "partner_names": "The partners, most referrals at stake first (at most 25)",
                "recent_referrals": "Each partner's referrals in the window, in the same order",
                "expected_referrals": "Each partner's expected referrals in the window, e.g. 5.9",
                "last_touches": "Each partner's last touch, e.g. Oct 2, 2026 (or never)",
                "more_count": "How many more are on the Dormancy page (empty when none)",
                "dormancy_url": "Link to the app's Dormancy page",
            },
            {
                "recipient_first_name": "Casey",
                "partner_count": "2",
                "window_days": "90",
                "partner_names": [
                    "Riverside Family Medicine",  # type: ignore[dict-item]
                    "Harbor Physical Therapy",
                ],
                "recent_referrals": ["0", "1"],  # type: ignore[dict-item]
                "expected_referrals": ["5.9", "4.2"],  # type: ignore[dict-item]
                "last_touches": ["Oct 2, 2026", "never"],  # type: ignore[dict-item]
                "more_count": "",
                "dormancy_url": "https://liaison.example.org/dormancy",
            },
        ),
    ]


TEMPLATES: dict[str, TemplateSpec] = {spec.name: spec for spec in _specs()}


def spec_for(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise TemplateError(f"there is no email template named {name!r}") from None


@cache
def builtin_source(name: str) -> TemplateSource:
    """The template as shipped in templates/email/ (read once per process)."""
    return TemplateSource(
        *(
            builtin_path(name, part).read_text(encoding="utf-8")
            for part in ("subject", "html", "text")
        )
    )


@cache
def layout_source() -> TemplateSource:
    """The layout has no subject of its own; its HTML and text wrap every template's body."""
    return TemplateSource(
        "",
        builtin_path("layout", "html").read_text(encoding="utf-8"),
        builtin_path("layout", "text").read_text(encoding="utf-8"),
    )
