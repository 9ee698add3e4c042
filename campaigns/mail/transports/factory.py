"""The transport named by `LIAISON_EMAIL_TRANSPORT`."""

from __future__ import annotations

from campaigns.mail.transports.base import Transport
from campaigns.mail.transports.file import FileTransport
from campaigns.mail.transports.sendgrid_api import SendGridTransport
from campaigns.mail.transports.smtp import SmtpTransport
from crm.clock import Clock
from crm.clock import now as current_time
from crm.setting_values import SmtpConfig
from crm.settings import Settings


def transport_from_settings(settings: Settings, clock: Clock = current_time) -> Transport:
    if settings.email_transport == "sendgrid":
        return SendGridTransport.from_settings(settings, clock=clock)
    if settings.email_transport == "smtp":
        return SmtpTransport(SmtpConfig.parse(settings.smtp_url), clock=clock)
    return FileTransport(settings.outbox_dir, clock=clock)
