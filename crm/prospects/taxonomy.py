"""From a provider's primary taxonomy (the NUCC Health Care Provider Taxonomy code
NPPES records) to the kind of partner a practice courts, and the words a marketer reads.

The most specific rule wins: 207QS0010X is family medicine but also sports medicine,
and a sports medicine physician is the prospect the practice most wants to tell apart."""

from __future__ import annotations

from dataclasses import dataclass

from crm.vocab import ContactRole, PartnerType


@dataclass(frozen=True, slots=True)
class Kind:
    partner_type: str
    specialty: str
    contact_role: str


# (code prefix, kind), longest prefix first when looked up.
_RULES: tuple[tuple[str, Kind], ...] = (
    ("207QS0010X", Kind(PartnerType.PRIMARY_CARE, "Sports medicine", ContactRole.PHYSICIAN)),
    ("207RS0010X", Kind(PartnerType.PRIMARY_CARE, "Sports medicine", ContactRole.PHYSICIAN)),
    ("2080S0010X", Kind(PartnerType.PRIMARY_CARE, "Sports medicine", ContactRole.PHYSICIAN)),
    ("2081S0010X", Kind(PartnerType.PRIMARY_CARE, "Sports medicine", ContactRole.PHYSICIAN)),
    ("2083S0010X", Kind(PartnerType.PRIMARY_CARE, "Sports medicine", ContactRole.PHYSICIAN)),
    ("207XX0005X", Kind(PartnerType.ORTHOPEDICS, "Sports medicine", ContactRole.PHYSICIAN)),
    ("207Q", Kind(PartnerType.PRIMARY_CARE, "Family medicine", ContactRole.PHYSICIAN)),
    ("208D", Kind(PartnerType.PRIMARY_CARE, "General practice", ContactRole.PHYSICIAN)),
    ("207R", Kind(PartnerType.PRIMARY_CARE, "Internal medicine", ContactRole.PHYSICIAN)),
    ("2080", Kind(PartnerType.PRIMARY_CARE, "Pediatrics", ContactRole.PHYSICIAN)),
    ("207X", Kind(PartnerType.ORTHOPEDICS, "Orthopaedic surgery", ContactRole.PHYSICIAN)),
    (
        "2251",
        Kind(PartnerType.PHYSICAL_THERAPY, "Physical therapy", ContactRole.PHYSICAL_THERAPIST),
    ),
    (
        "261QP2000X",
        Kind(PartnerType.PHYSICAL_THERAPY, "Physical therapy clinic", ContactRole.OTHER),
    ),
    ("111N", Kind(PartnerType.CHIROPRACTIC, "Chiropractic", ContactRole.OTHER)),
    (
        "2255A2300X",
        Kind(PartnerType.ATHLETIC_TRAINING, "Athletic training", ContactRole.ATHLETIC_TRAINER),
    ),
    ("261QU0200X", Kind(PartnerType.URGENT_CARE, "Urgent care clinic", ContactRole.OTHER)),
    ("213E", Kind(PartnerType.OTHER, "Podiatry", ContactRole.OTHER)),
    ("363LF0000X", Kind(PartnerType.PRIMARY_CARE, "Family nurse practitioner", ContactRole.NP_PA)),
    (
        "363LP0200X",
        Kind(PartnerType.PRIMARY_CARE, "Pediatric nurse practitioner", ContactRole.NP_PA),
    ),
    ("363A", Kind(PartnerType.PRIMARY_CARE, "Physician assistant", ContactRole.NP_PA)),
)
_BY_LENGTH = tuple(sorted(_RULES, key=lambda rule: -len(rule[0])))

# What an import takes when the user names no taxonomy: the codes above, the referrers
# a musculoskeletal practice courts, rather than every dentist and pharmacy in the state.
DEFAULT_PREFIXES: tuple[str, ...] = tuple(prefix for prefix, _ in _RULES)

OTHER = Kind(PartnerType.OTHER, "", ContactRole.OTHER)


def kind_of(code: str) -> Kind:
    """The kind for one taxonomy code; OTHER for a code no rule names."""
    code = code.strip().upper()
    for prefix, kind in _BY_LENGTH:
        if code.startswith(prefix):
            return kind
    return OTHER


def matches(codes: list[str], prefixes: tuple[str, ...]) -> bool:
    """Whether any of the provider's codes starts with one of the prefixes."""
    return any(code.startswith(prefixes) for code in codes if code)
