"""SMTP settings (the transport itself sits beside this)."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_SCHEMES = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "ssl"}
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class SmtpConfig:
    """`LIAISON_SMTP_URL`: smtp://host:25 (no TLS), smtp+starttls://user:pass@host:587,
    or smtps://user:pass@host:465 (TLS from the start)."""

    host: str
    port: int
    tls: str
    username: str
    password: str

    @classmethod
    def parse(cls, url: str) -> "SmtpConfig":
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ValueError("use smtp://, smtp+starttls:// or smtps:// followed by host:port")
        if not parts.hostname:
            raise ValueError("the SMTP URL has no host")
        tls = _SCHEMES[parts.scheme]
        try:
            port = parts.port or _DEFAULT_PORTS[tls]
        except ValueError:
            raise ValueError("the SMTP port is not a number") from None
        return cls(host=parts.hostname, port=port, tls=tls,
                   username=unquote(parts.username or ""), password=unquote(parts.password or ""))
