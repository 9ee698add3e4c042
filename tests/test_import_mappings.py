"""The mapping a person confirmed is remembered for the same kind of record and set of
headers (in any order, case or punctuation), and only editors can change it."""

import pytest

from crm.access import PermissionDenied
from crm.transfer import column_plan, remember_mapping

FILE = b"Practice,Kind,Fax Line\nElm,pcp,617 555 0100\n"


def test_a_remembered_mapping_applies_to_the_same_headers_in_any_order(session, marketer, now):
    assert column_plan(session, "partners", FILE, "p.csv").remembered is False
    remember_mapping(
        session,
        marketer,
        "partners",
        {"Practice": "name", "Kind": "partner_type", "Fax Line": "fax"},
        now,
    )
    session.commit()
    plan = column_plan(session, "partners", b"FAX LINE,practice,kind\n617,Oak,pt\n", "p.csv")
    assert plan.remembered is True
    assert plan.mapping == {"FAX LINE": "fax", "practice": "name", "kind": "partner_type"}
    assert plan.sample == [["617", "Oak", "pt"]]
    other = column_plan(session, "contacts", FILE, "p.csv")
    assert other.remembered is False


def test_a_viewer_cannot_remember_a_mapping(session, viewer, now):
    with pytest.raises(PermissionDenied):
        remember_mapping(session, viewer, "partners", {"Practice": "name"}, now)
