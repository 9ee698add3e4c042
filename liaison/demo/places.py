"""The fixed vocabulary the demo practice is built from: one metro region (Greater
Boston) with real town names and ZIP codes, fictional 555 phone numbers and
example.com addresses, so nothing in the demo reaches a real person."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    name: str
    territory: int
    zips: tuple[str, ...]
    population: int


TERRITORIES: tuple[str, ...] = (
    "Boston & Inner Core", "MetroWest", "South Shore", "North Shore", "Merrimack Valley",
)
AREA_CODES: tuple[tuple[str, ...], ...] = (
    ("617", "857"), ("617", "781", "508"), ("617", "781", "508"), ("781", "978", "339"), ("978", "781", "351"),
)

TOWNS: tuple[Town, ...] = (
    Town("Boston", 0, ("02108", "02109", "02110", "02111", "02113", "02114", "02115", "02116", "02118",
                       "02119", "02120", "02121", "02122", "02124", "02125", "02126", "02127", "02128",
                       "02129", "02130", "02131", "02132", "02134", "02135", "02136"), 650),
    Town("Cambridge", 0, ("02138", "02139", "02140", "02141", "02142"), 118),
    Town("Somerville", 0, ("02143", "02144", "02145"), 80),
    Town("Brookline", 0, ("02445", "02446"), 63),
    Town("Chelsea", 0, ("02150",), 40),
    Town("Everett", 0, ("02149",), 49),
    Town("Newton", 1, ("02458", "02459", "02460", "02461", "02462", "02464", "02465", "02466", "02468"), 88),
    Town("Waltham", 1, ("02451", "02452", "02453"), 65),
    Town("Watertown", 1, ("02472",), 35),
    Town("Wellesley", 1, ("02481", "02482"), 29),
    Town("Needham", 1, ("02492", "02494"), 32),
    Town("Natick", 1, ("01760",), 37),
    Town("Framingham", 1, ("01701", "01702"), 72),
    Town("Dedham", 1, ("02026",), 25),
    Town("Norwood", 1, ("02062",), 31),
    Town("Quincy", 2, ("02169", "02170", "02171"), 101),
    Town("Braintree", 2, ("02184",), 39),
    Town("Weymouth", 2, ("02188", "02189", "02190", "02191"), 57),
    Town("Milton", 2, ("02186",), 28),
    Town("Hingham", 2, ("02043",), 24),
    Town("Brockton", 2, ("02301", "02302"), 105),
    Town("Plymouth", 2, ("02360",), 61),
    Town("Randolph", 2, ("02368",), 35),
    Town("Lynn", 3, ("01901", "01902", "01904", "01905"), 101),
    Town("Salem", 3, ("01970",), 44),
    Town("Peabody", 3, ("01960",), 54),
    Town("Beverly", 3, ("01915",), 42),
    Town("Revere", 3, ("02151",), 62),
    Town("Malden", 3, ("02148",), 66),
    Town("Medford", 3, ("02155",), 59),
    Town("Saugus", 3, ("01906",), 28),
    Town("Danvers", 3, ("01923",), 28),
    Town("Woburn", 4, ("01801",), 41),
    Town("Burlington", 4, ("01803",), 26),
    Town("Lexington", 4, ("02420", "02421"), 34),
    Town("Arlington", 4, ("02474", "02476"), 46),
    Town("Lowell", 4, ("01850", "01851", "01852", "01854"), 115),
    Town("Lawrence", 4, ("01840", "01841", "01843"), 89),
    Town("Andover", 4, ("01810",), 36),
    Town("Reading", 4, ("01867",), 25),
    Town("Billerica", 4, ("01821",), 42),
    Town("Chelmsford", 4, ("01824",), 36),
)

STREETS: tuple[str, ...] = (
    "Main Street", "Washington Street", "Elm Street", "Pleasant Street", "Maple Avenue", "Highland Avenue",
    "Centre Street", "Commonwealth Avenue", "Massachusetts Avenue", "Beacon Street", "Boylston Street",
    "Broadway", "Chestnut Street", "Summer Street", "Union Street", "School Street", "Park Street",
    "Prospect Street", "Central Street", "Water Street", "Winter Street", "Church Street", "High Street",
    "Spring Street", "Walnut Street", "Cedar Street", "Oak Street", "Pine Street", "Lincoln Street",
    "Franklin Street", "Adams Street", "Hancock Street", "Granite Street", "Common Street", "Salem Street",
    "Lowell Street", "Andover Street", "Boston Post Road", "Worcester Road", "Route 1", "Cabot Road",
    "Harvard Street", "Lexington Street", "Medford Street", "Hillside Avenue", "Riverside Drive",
    "Forest Avenue", "Grove Street", "Linden Street", "Bridge Street", "Mill Street", "Pond Street",
    "Concord Avenue", "Mystic Avenue", "Quincy Shore Drive", "Newbury Street", "Tremont Street",
)

BRANDS: tuple[str, ...] = (
    "Summit", "Harbor", "Bayside", "Riverbend", "Lakeside", "Pinnacle", "Northstar", "Evergreen",
    "Granite", "Beacon", "Colonial", "Liberty", "Heritage", "Oak Hill", "Cedar", "Keystone", "Clearwater",
    "Milestone", "Momentum", "Peak", "Bluewater", "Greystone", "Meridian", "Patriot", "Compass", "Trinity",
    "Unity", "Horizon", "Charles River", "Mystic", "Back Bay", "Seaport", "Fenway", "Bay State",
    "Commonwealth", "Minuteman", "Pilgrim", "Atlantic", "Neponset", "Middlesex",
)

FIRST_NAMES: tuple[str, ...] = (
    "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "John", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
    "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Steven", "Emily",
    "Andrew", "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "Priya", "Wei", "Carlos", "Sofia",
    "Ahmed", "Fatima", "Hiroshi", "Mei", "Luis", "Ana", "Tuan", "Linh", "Kwame", "Amara", "Rafael",
    "Gabriela", "Omar", "Leila", "Sean", "Siobhan", "Patrick", "Colleen", "Dmitri", "Olga", "Ravi",
    "Anjali", "Jorge", "Isabel", "Marcus", "Keisha", "Tyrone", "Jasmine", "Connor", "Brigid", "Nikhil",
    "Hannah", "Ethan", "Olivia", "Noah", "Ava", "Liam", "Grace", "Lucas", "Chloe",
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Murphy",
    "Sullivan", "O'Brien", "Kelly", "McCarthy", "Walsh", "Fitzgerald", "Doherty", "Kennedy", "Callahan",
    "Patel", "Shah", "Chen", "Wang", "Li", "Kim", "Park", "Tanaka", "Sato", "Cohen", "Levine", "Rossi",
    "Russo", "Ferreira", "Silva", "Santos", "Pereira", "Okafor", "Mensah", "Haddad", "Nasser", "Ivanova",
    "Kowalski", "Novak", "Costa", "Tran", "Pham", "Joseph", "Pierre", "Desrosiers", "Medeiros", "Souza",
    "Brennan", "Gallagher", "Donovan", "Hughes", "Reyes", "Morales", "Ortiz",
)

SPORTS_SCHOOL: tuple[str, ...] = (
    "football", "soccer", "basketball", "ice hockey", "lacrosse", "baseball", "softball", "volleyball",
    "track and field", "cross country", "swimming", "wrestling", "field hockey", "tennis", "gymnastics",
    "cheerleading",
)
SPORTS_CLUB: tuple[str, ...] = (
    "soccer", "ice hockey", "volleyball", "lacrosse", "baseball", "basketball", "swimming", "gymnastics",
    "running", "figure skating", "rowing", "dance",
)


@dataclass(frozen=True)
class Profile:
    """One kind of partner within a type: its specialty and how such places are named.
    Templates use {town}, {brand}, {surname}, {surname2} and {sport}."""

    specialty: str
    names: tuple[str, ...]
    sports: str = ""  # "school", "club" or "" for where sports served come from


PROFILES: dict[str, tuple[Profile, ...]] = {
    "primary_care": (
        Profile("Family medicine", ("{town} Family Medicine", "{surname} Family Practice",
                                    "{brand} Family Health", "{surname} & {surname2} Family Medicine")),
        Profile("Internal medicine", ("{town} Internal Medicine", "{brand} Internal Medicine Associates",
                                      "{surname} Internal Medicine")),
        Profile("Pediatrics", ("{town} Pediatrics", "{brand} Pediatric Associates", "{surname} Pediatrics")),
        Profile("Community health center", ("{town} Community Health Center", "{brand} Health Center")),
    ),
    "physical_therapy": (
        Profile("Outpatient orthopedic PT", ("{town} Physical Therapy", "{brand} PT & Rehab",
                                             "{surname} Physical Therapy")),
        Profile("Sports rehabilitation", ("{brand} Sports Rehab", "{town} Sports & Spine PT",
                                          "Momentum PT of {town}")),
        Profile("Pediatric PT", ("{brand} Pediatric Therapy",)),
    ),
    "orthopedics": (
        Profile("Sports medicine", ("{brand} Orthopaedics & Sports Medicine", "{town} Sports Medicine",
                                    "{surname} Orthopedic Sports Medicine")),
        Profile("Joint replacement", ("{town} Orthopedic Associates", "{brand} Joint Center")),
        Profile("Spine", ("{brand} Spine Center", "{town} Spine & Orthopedics")),
        Profile("Hand & upper extremity", ("{brand} Hand & Upper Extremity",)),
        Profile("Foot & ankle", ("{brand} Foot & Ankle Specialists",)),
    ),
    "urgent_care": (
        Profile("Walk-in urgent care", ("{brand} Urgent Care - {town}", "{town} Walk-In Clinic",
                                        "{brand} Express Care {town}")),
        Profile("Occupational health", ("{brand} Occupational Health - {town}",)),
    ),
    "chiropractic": (
        Profile("Chiropractic", ("{surname} Chiropractic", "{town} Chiropractic & Wellness",
                                 "{brand} Chiropractic")),
        Profile("Sports chiropractic", ("{brand} Sports Chiropractic",)),
    ),
    "school": (
        Profile("High school", ("{town} High School", "{town} Regional High School", "{brand} Academy",
                                "{town} Catholic High School"), "school"),
        Profile("Middle school", ("{town} Middle School", "{brand} Middle School"), "school"),
        Profile("College", ("{town} Community College", "{brand} College"), "school"),
    ),
    "sports_club": (
        Profile("Youth club", ("{town} Youth {sport}", "{brand} {sport} Club", "{town} {sport} Association"),
                "club"),
        Profile("Adult league", ("{brand} {sport} League", "{town} Masters {sport}"), "club"),
    ),
    "athletic_training": (
        Profile("Contracted athletic training", ("{brand} Athletic Training Services",
                                                 "{town} Sports Medicine Outreach"), "school"),
    ),
    "gym_wellness": (
        Profile("Fitness center", ("{brand} Fitness {town}", "{town} Athletic Club")),
        Profile("CrossFit", ("CrossFit {brand}", "CrossFit {town}")),
        Profile("Strength & conditioning", ("{brand} Strength & Conditioning", "{brand} Performance Lab")),
        Profile("Yoga & pilates", ("{brand} Yoga Studio", "{town} Pilates & Barre")),
    ),
    "community": (
        Profile("Senior center", ("{town} Council on Aging", "{town} Senior Center")),
        Profile("Recreation department", ("{town} Recreation Department", "{town} Parks & Recreation")),
        Profile("YMCA", ("{town} YMCA",)),
        Profile("Youth organization", ("{town} Boys & Girls Club",)),
    ),
    "other": (
        Profile("Podiatry", ("{surname} Podiatry", "{brand} Foot Care")),
        Profile("Dance studio", ("{brand} Dance Academy", "{town} School of Ballet")),
        Profile("Employer health", ("{brand} Employee Health",)),
    ),
}

TAGS: dict[str, tuple[str, ...]] = {
    "clinical": ("accepts medicare", "workers comp", "hospital-affiliated", "spanish-speaking",
                 "epic user", "new providers"),
    "sports": ("concussion protocol", "preseason screening", "baseline testing", "booster club"),
    "community": ("health fair", "newsletter", "spanish-speaking"),
}

LIAISONS: tuple[tuple[str, str], ...] = (
    ("Maya Patel", "maya.patel@example.com"),
    ("Jordan Ellis", "jordan.ellis@example.com"),
    ("Chris Romano", "chris.romano@example.com"),
    ("Aisha Grant", "aisha.grant@example.com"),
    ("Ben Nakamura", "ben.nakamura@example.com"),
)
LEADERSHIP: tuple[str, str] = ("Erin Walsh", "leadership@example.com")


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str
    city: str
    zip: str
    territories: tuple[int, ...]


CLINICS: tuple[Clinic, ...] = (
    Clinic("Downtown Boston Clinic", "100 Cambridge Street", "Boston", "02114", (0,)),
    Clinic("Newton-Wellesley Clinic", "2000 Washington Street", "Newton", "02462", (1,)),
    Clinic("Quincy Clinic", "500 Hancock Street", "Quincy", "02169", (2,)),
    Clinic("Woburn Clinic", "300 Mishawum Road", "Woburn", "01801", (3, 4)),
)

TOUCH_OUTCOMES: dict[str, tuple[str, ...]] = {
    "email": ("Sent new-patient access info", "Shared concussion program flyer",
              "Sent monthly referral summary", "Followed up after visit"),
    "call": ("Left voicemail", "Spoke with office manager", "Confirmed fax number for referrals",
             "Booked a lunch-and-learn", "Followed up on a recent referral", "No answer"),
    "visit": ("Met the referral coordinator", "Introduced a new sports medicine physician",
              "Dropped in, office busy", "Reviewed referral process with front desk"),
    "lunch_and_learn": ("ACL return-to-sport", "Concussion management", "Same-week access",
                        "Shoulder injuries in throwing athletes"),
    "in_service": ("In-service for athletic trainers", "Ankle sprain protocols",
                   "Referral forms for front desk staff"),
    "materials_drop_off": ("Dropped off referral pads", "Dropped off brochures", "Left new provider cards",
                           "Restocked concussion handouts"),
    "event_attendance": ("Covered Friday night football", "Booth at community health fair",
                         "Attended preseason physicals", "Sponsored a youth tournament"),
}

LOST_REASONS: tuple[tuple[str, ...], ...] = (
    ("Could not reach patient", "Patient declined", "Insurance not accepted"),
    ("Chose another provider", "Insurance not accepted", "No response after three attempts",
     "Patient declined", "Cost concerns"),
    ("No-show", "Cancelled, did not reschedule", "Chose another provider"),
)

CONSENT_SOURCES: tuple[str, ...] = ("intake form", "patient portal", "front desk (verbal)", "text message opt-in")
