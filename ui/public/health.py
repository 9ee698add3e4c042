"""GET /api/health, for a load balancer or uptime monitor: 200 while the database
answers, else 503. The one health route; `crm start` and the browser tests wait on it."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from crm import settings as settings_module
from crm.db import engine_for
from crm.settings import SettingsError


def database_answers() -> bool:
    try:
        with engine_for(settings_module.get().database_url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SettingsError, SQLAlchemyError):
        return False
    return True


async def health(_request: Request) -> JSONResponse:
    database = await run_in_threadpool(database_answers)
    return JSONResponse(
        {"ok": database, "database": database},
        status_code=200 if database else 503,
        headers={"Cache-Control": "no-store"},
    )


def routes() -> list[BaseRoute]:
    return [Route("/api/health", health, methods=["GET"])]
