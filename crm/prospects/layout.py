"""The columns of the NPPES data dissemination file (`npidata_pfile_*.csv`), in the
order CMS publishes them. The file is checked against this header before a row is read,
so a file in another layout is refused with the columns that differ rather than imported
into the wrong fields."""

from __future__ import annotations

TAXONOMY_SLOTS = 15
OTHER_IDENTIFIER_SLOTS = 50


def _header() -> tuple[str, ...]:
    names = [
        "NPI",
        "Entity Type Code",
        "Replacement NPI",
        "Employer Identification Number (EIN)",
        "Provider Organization Name (Legal Business Name)",
        "Provider Last Name (Legal Name)",
        "Provider First Name",
        "Provider Middle Name",
        "Provider Name Prefix Text",
        "Provider Name Suffix Text",
        "Provider Credential Text",
        "Provider Other Organization Name",
        "Provider Other Organization Name Type Code",
        "Provider Other Last Name",
        "Provider Other First Name",
        "Provider Other Middle Name",
        "Provider Other Name Prefix Text",
        "Provider Other Name Suffix Text",
        "Provider Other Credential Text",
        "Provider Other Last Name Type Code",
        "Provider First Line Business Mailing Address",
        "Provider Second Line Business Mailing Address",
        "Provider Business Mailing Address City Name",
        "Provider Business Mailing Address State Name",
        "Provider Business Mailing Address Postal Code",
        "Provider Business Mailing Address Country Code (If outside U.S.)",
        "Provider Business Mailing Address Telephone Number",
        "Provider Business Mailing Address Fax Number",
        "Provider First Line Business Practice Location Address",
        "Provider Second Line Business Practice Location Address",
        "Provider Business Practice Location Address City Name",
        "Provider Business Practice Location Address State Name",
        "Provider Business Practice Location Address Postal Code",
        "Provider Business Practice Location Address Country Code (If outside U.S.)",
        "Provider Business Practice Location Address Telephone Number",
        "Provider Business Practice Location Address Fax Number",
        "Provider Enumeration Date",
        "Last Update Date",
        "NPI Deactivation Reason Code",
        "NPI Deactivation Date",
        "NPI Reactivation Date",
        "Provider Gender Code",
        "Authorized Official Last Name",
        "Authorized Official First Name",
        "Authorized Official Middle Name",
        "Authorized Official Title or Position",
        "Authorized Official Telephone Number",
    ]
    for n in range(1, TAXONOMY_SLOTS + 1):
        names += [
            f"Healthcare Provider Taxonomy Code_{n}",
            f"Provider License Number_{n}",
            f"Provider License Number State Code_{n}",
            f"Healthcare Provider Primary Taxonomy Switch_{n}",
        ]
    for n in range(1, OTHER_IDENTIFIER_SLOTS + 1):
        names += [
            f"Other Provider Identifier_{n}",
            f"Other Provider Identifier Type Code_{n}",
            f"Other Provider Identifier State_{n}",
            f"Other Provider Identifier Issuer_{n}",
        ]
    names += [
        "Is Sole Proprietor",
        "Is Organization Subpart",
        "Parent Organization LBN",
        "Parent Organization TIN",
        "Authorized Official Name Prefix Text",
        "Authorized Official Name Suffix Text",
        "Authorized Official Credential Text",
    ]
    names += [f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, TAXONOMY_SLOTS + 1)]
    names.append("Certification Date")
    return tuple(names)


HEADER: tuple[str, ...] = _header()
COLUMN: dict[str, int] = {name: i for i, name in enumerate(HEADER)}

NPI = COLUMN["NPI"]
ENTITY_TYPE = COLUMN["Entity Type Code"]
ORGANIZATION_NAME = COLUMN["Provider Organization Name (Legal Business Name)"]
LAST_NAME = COLUMN["Provider Last Name (Legal Name)"]
FIRST_NAME = COLUMN["Provider First Name"]
CREDENTIAL = COLUMN["Provider Credential Text"]
ADDRESS_1 = COLUMN["Provider First Line Business Practice Location Address"]
ADDRESS_2 = COLUMN["Provider Second Line Business Practice Location Address"]
CITY = COLUMN["Provider Business Practice Location Address City Name"]
STATE = COLUMN["Provider Business Practice Location Address State Name"]
POSTAL_CODE = COLUMN["Provider Business Practice Location Address Postal Code"]
COUNTRY = COLUMN["Provider Business Practice Location Address Country Code (If outside U.S.)"]
PHONE = COLUMN["Provider Business Practice Location Address Telephone Number"]
FAX = COLUMN["Provider Business Practice Location Address Fax Number"]
DEACTIVATION_DATE = COLUMN["NPI Deactivation Date"]
REACTIVATION_DATE = COLUMN["NPI Reactivation Date"]
TAXONOMY_CODES = tuple(
    COLUMN[f"Healthcare Provider Taxonomy Code_{n}"] for n in range(1, TAXONOMY_SLOTS + 1)
)
PRIMARY_SWITCHES = tuple(
    COLUMN[f"Healthcare Provider Primary Taxonomy Switch_{n}"] for n in range(1, TAXONOMY_SLOTS + 1)
)
