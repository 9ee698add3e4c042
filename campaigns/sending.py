"""Builds the dispatcher the settings describe, for the scheduler and `crm send-due`."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from campaigns.dispatch import DispatchConfig, Dispatcher
from campaigns.window import SendWindow
from crm.clock import Clock
from crm.settings import Settings


def dispatch_config(settings: Settings) -> DispatchConfig:
    from campaigns.unsubscribe import unsubscribe_url

    return DispatchConfig(
        from_email=settings.sender_email,
        from_name=settings.practice_name,
        window=SendWindow.parse(settings.send_window),
        frequency_cap=settings.frequency_cap,
        max_attempts=settings.max_attempts,
        unsubscribe_url=lambda email, key: unsubscribe_url(settings, email, key),
    )


def dispatcher_from_settings(engine: Engine, settings: Settings, clock: Clock) -> Dispatcher:
    from campaigns.transports.factory import transport_from_settings

    return Dispatcher(engine, lambda: transport_from_settings(settings, clock=clock), dispatch_config(settings), clock)
