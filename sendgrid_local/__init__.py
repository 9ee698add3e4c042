"""A local SendGrid-compatible HTTP server for tests and for staging without an
account: `POST /v3/mail/send` and the suppression lists, validated against SendGrid's
own OpenAPI spec, with injectable faults and a record of what it accepted."""

from .app import LocalSendGrid
from .faults import FAULT_KINDS, FaultPlan
from .http_server import LocalServer, make_server
from .spec import Contract, FieldError, load_contract, spec_dir
from .store import Delivery

__all__ = [
    "FAULT_KINDS",
    "Contract",
    "Delivery",
    "FaultPlan",
    "FieldError",
    "LocalSendGrid",
    "LocalServer",
    "load_contract",
    "make_server",
    "spec_dir",
]
