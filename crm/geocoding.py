"""A street-address geocoder over HTTP, used only when `LIAISON_GEOCODER_URL` is set.

The setting is the request with `{address}` where the one-line address goes, e.g. the
US Census geocoder
(`https://geocoding.geo.census.gov/geocoder/locations/onelineaddress?benchmark=Public_AR_Current&format=json&address={address}`)
or a Nominatim server (`https://nominatim.example.org/search?format=json&limit=1&q={address}`).
Both answers are read: Census's `result.addressMatches[].coordinates` and Nominatim's
list of `{lat, lon}`."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from crm.errors import LiaisonError

USER_AGENT = "Liaison partner CRM (geocoding partner addresses)"


class GeocoderUnavailable(LiaisonError):
    """The geocoder did not answer, or answered something that is not a geocode."""


class Geocoder:
    def __init__(self, url_template: str, timeout: float = 10.0) -> None:
        self.url_template = url_template
        self.timeout = timeout

    def locate(self, address: str) -> tuple[float, float] | None:
        """(latitude, longitude) of the address, or None when the geocoder knows no match."""
        url = self.url_template.replace("{address}", urllib.parse.quote(address))
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except (OSError, ValueError) as exc:
            raise GeocoderUnavailable(
                f"The geocoder at {_host(url)} did not answer usefully ({exc}); "
                "positions stay at ZIP centres."
            ) from exc
        return _coordinates(answer)


def _coordinates(answer: Any) -> tuple[float, float] | None:
    try:
        if isinstance(answer, list):  # Nominatim
            if not answer:
                return None
            return float(answer[0]["lat"]), float(answer[0]["lon"])
        matches = answer["result"]["addressMatches"]  # US Census
        if not matches:
            return None
        point = matches[0]["coordinates"]
        return float(point["y"]), float(point["x"])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise GeocoderUnavailable(
            "The geocoder's answer has no coordinates Liaison can read."
        ) from exc


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def geocoder_for(url_template: str) -> Geocoder | None:
    return Geocoder(url_template) if url_template else None
