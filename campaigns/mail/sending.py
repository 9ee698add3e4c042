"""Builds the dispatcher the settings describe, for the scheduler and `crm send-due`."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from campaigns.mail.dispatch import DispatchConfig, Dispatcher
from campaigns.mail.transports.factory import transport_from_settings
from campaigns.mail.unsubscribe import unsubscribe_url
from crm.clock import Clock
from crm.setting_values import SendWindow
from crm.settings import Settings


def dispatch_config(settings: Settings) -> DispatchConfig:
    return DispatchConfig(
        from_email=settings.sender_email,
        from_name=settings.practice_name,
        window=SendWindow.parse(settings.send_window),
        frequency_cap=settings.frequency_cap,
        max_attempts=settings.max_attempts,
        unsubscribe_url=lambda email, key: unsubscribe_url(settings, email, key),
    )


def dispatcher_from_settings(engine: Engine, settings: Settings, clock: Clock) -> Dispatcher:
    return Dispatcher(
        engine,
        lambda: transport_from_settings(settings, clock=clock),
        dispatch_config(settings),
        clock,
    )
