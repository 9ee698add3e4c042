"""Where partners are: ZIP centres when they are created, edited or imported, found
again when the address changes, and the command's backfill (with a geocoder when one
is configured, tested against a local HTTP server)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import zipcodes
from sqlmodel import select
from typer.testing import CliRunner

from crm.geocoding import Geocoder, GeocoderUnavailable
from crm.models import AuditLog, Partner
from crm.partners import PartnerInput, create_partner, update_partner
from crm.positions import locate_partners
from crm.prospects.geo import centroid
from crm.transfer import import_file
from liaison.cli import app
from tests.factories import make_partner

BOSTON_02118 = centroid("02118")
CAMBRIDGE_02139 = centroid("02139")


def position(partner: Partner) -> tuple[float | None, float | None, str]:
    return (partner.latitude, partner.longitude, partner.position_source)


def inputs(partner: Partner, **changes: str) -> PartnerInput:
    return PartnerInput(**{**partner.model_dump(include=set(PartnerInput.model_fields)), **changes})


def test_a_new_partner_is_placed_at_its_zip_centre(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Elm PT", partner_type="PT", zip="02118"), now
    )
    session.commit()
    assert position(session.get(Partner, partner.id)) == (*BOSTON_02118, "zip")


def test_every_zip_the_package_ships_has_its_own_centre():
    shipped = {e["zip_code"]: e for e in zipcodes.list_all() if e["lat"] and e["long"]}
    assert len(shipped) > 40_000
    assert all(
        centroid(zip_code) == (float(e["lat"]), float(e["long"])) for zip_code, e in shipped.items()
    )


def test_a_partner_with_an_unknown_zip_has_no_position(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Elm PT", partner_type="PT", zip="00000"), now
    )
    session.commit()
    assert position(session.get(Partner, partner.id)) == (None, None, "")


def test_a_changed_zip_moves_the_partner(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Elm PT", partner_type="PT", zip="02118"), now
    )
    update_partner(session, marketer, partner.id, inputs(partner, zip="02139"), now)
    session.commit()
    assert position(session.get(Partner, partner.id)) == (*CAMBRIDGE_02139, "zip")


def test_an_edit_that_keeps_the_address_keeps_a_geocoded_position(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Elm PT", partner_type="PT", zip="02118"), now
    )
    partner.latitude, partner.longitude, partner.position_source = 42.3401, -71.0802, "geocoder"
    update_partner(session, marketer, partner.id, inputs(partner, tier="A"), now)
    session.commit()
    assert position(session.get(Partner, partner.id)) == (42.3401, -71.0802, "geocoder")


def test_a_changed_street_replaces_a_geocoded_position_with_the_zip_centre(session, marketer, now):
    partner = create_partner(
        session, marketer, PartnerInput(name="Elm PT", partner_type="PT", zip="02118"), now
    )
    partner.latitude, partner.longitude, partner.position_source = 42.3401, -71.0802, "geocoder"
    update_partner(session, marketer, partner.id, inputs(partner, address="9 Oak Ave"), now)
    session.commit()
    assert position(session.get(Partner, partner.id)) == (*BOSTON_02118, "zip")


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


HEADER = ["Practice Name", "Type", "Address", "Zip Code"]


def imported(session, marketer, now, *rows: list[str]) -> dict[str, Partner]:
    report = import_file(
        session, marketer, "partners", csv_bytes(HEADER, *rows), "partners.csv", now=now
    )
    assert not report.rejected, report.rejected
    session.commit()
    return {p.name: p for p in session.exec(select(Partner))}


def test_an_import_places_new_partners_at_their_zip_centres(session, marketer, now):
    found = imported(
        session,
        marketer,
        now,
        ["Elm PT", "PT", "12 Elm St", "02118"],
        ["Oak PT", "PT", "9 Oak Ave", "2139"],
        ["Nowhere PT", "PT", "1 Main St", "00000"],
    )
    assert position(found["Elm PT"]) == (*BOSTON_02118, "zip")
    assert position(found["Oak PT"]) == (*CAMBRIDGE_02139, "zip")
    assert position(found["Nowhere PT"]) == (None, None, "")


def test_an_import_that_changes_a_zip_moves_the_partner(session, marketer, now):
    imported(session, marketer, now, ["Elm PT", "PT", "12 Elm St", "02118"])
    found = imported(session, marketer, now, ["Elm PT", "PT", "12 Elm St", "02139"])
    assert position(found["Elm PT"]) == (*CAMBRIDGE_02139, "zip")


def test_an_import_leaves_positions_out_of_the_audit(session, marketer, now):
    imported(session, marketer, now, ["Elm PT", "PT", "12 Elm St", "02118"])
    entry = session.exec(select(AuditLog)).one()
    assert "latitude" not in entry.changes and "zip" in entry.changes


def test_locating_places_partners_that_never_were(session):
    partner = make_partner(session, placed=False, zip="02139")
    report = locate_partners(session)
    session.commit()
    session.refresh(partner)
    assert position(partner) == (*CAMBRIDGE_02139, "zip")
    assert (report.checked, report.from_zip) == (1, 1)


def test_locating_again_changes_nothing(session):
    make_partner(session, placed=False, zip="02139")
    locate_partners(session)
    assert locate_partners(session).from_zip == 0


def test_locating_reads_and_writes_in_batches(session):
    for _ in range(5):
        make_partner(session, placed=False, zip="02139")
    report = locate_partners(session, batch_size=2)
    session.commit()
    assert report.checked == 5
    assert set(session.exec(select(Partner.latitude))) == {CAMBRIDGE_02139[0]}


# A geocoder, as a local HTTP server answering like the US Census geocoder --------------


class CensusLike(BaseHTTPRequestHandler):
    known = {"12 Elm St, Boston, MA 02118": (42.3401, -71.0802)}
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        address = parse_qs(urlsplit(self.path).query)["address"][0]
        CensusLike.asked.append(address)
        point = self.known.get(address)
        matches = [{"coordinates": {"x": point[1], "y": point[0]}}] if point else []
        body = json.dumps({"result": {"addressMatches": matches}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def geocoder_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), CensusLike)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    CensusLike.asked = []
    try:
        yield f"http://127.0.0.1:{server.server_port}/locations?format=json&address={{address}}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_geocoder_reads_a_census_answer(geocoder_url):
    assert Geocoder(geocoder_url).locate("12 Elm St, Boston, MA 02118") == (42.3401, -71.0802)


def test_the_geocoder_says_none_for_an_address_it_does_not_know(geocoder_url):
    assert Geocoder(geocoder_url).locate("1 Nowhere Rd, Boston, MA 02118") is None


def test_a_geocoder_that_does_not_answer_is_a_plain_refusal():
    with pytest.raises(GeocoderUnavailable, match="did not answer"):
        Geocoder("http://127.0.0.1:9/?address={address}", timeout=2).locate("12 Elm St")


def test_locating_with_a_geocoder_places_the_street_address(session, geocoder_url):
    partner = make_partner(
        session, placed=False, address="12 Elm St", city="Boston", state="MA", zip="02118"
    )
    report = locate_partners(session, Geocoder(geocoder_url))
    session.commit()
    session.refresh(partner)
    assert position(partner) == (42.3401, -71.0802, "geocoder")
    assert report.geocoded == 1


def test_an_address_the_geocoder_does_not_know_stays_at_its_zip_centre(session, geocoder_url):
    partner = make_partner(
        session, placed=False, address="1 Nowhere Rd", city="Boston", state="MA", zip="02118"
    )
    locate_partners(session, Geocoder(geocoder_url))
    session.commit()
    session.refresh(partner)
    assert position(partner) == (*BOSTON_02118, "zip")


def test_a_geocoded_partner_is_not_asked_for_again(session, geocoder_url):
    make_partner(session, placed=False, address="12 Elm St", city="Boston", state="MA", zip="02118")
    locate_partners(session, Geocoder(geocoder_url))
    locate_partners(session, Geocoder(geocoder_url))
    assert CensusLike.asked == ["12 Elm St, Boston, MA 02118"]


def test_an_unreachable_geocoder_still_leaves_zip_centres_and_says_why(session):
    partner = make_partner(session, placed=False, address="12 Elm St", zip="02118")
    report = locate_partners(session, Geocoder("http://127.0.0.1:9/?a={address}", timeout=2))
    session.commit()
    session.refresh(partner)
    assert position(partner) == (*BOSTON_02118, "zip")
    assert "did not answer" in report.problem


# The command -------------------------------------------------------------------------


def test_the_locate_command_places_partners_at_their_zip_centres(app_env, session):
    partner = make_partner(session, placed=False, zip="02139")
    result = CliRunner().invoke(app, ["partners", "locate"])
    assert result.exit_code == 0, result.output
    assert "1 placed at their ZIP centre" in result.output
    session.refresh(partner)
    assert position(partner) == (*CAMBRIDGE_02139, "zip")


def test_the_locate_command_asks_the_configured_geocoder(app_env, session, geocoder_url):
    app_env.setenv("LIAISON_GEOCODER_URL", geocoder_url)
    partner = make_partner(
        session, placed=False, address="12 Elm St", city="Boston", state="MA", zip="02118"
    )
    result = CliRunner().invoke(app, ["partners", "locate"])
    assert result.exit_code == 0, result.output
    assert "1 at their street address" in result.output
    session.refresh(partner)
    assert position(partner) == (42.3401, -71.0802, "geocoder")
