"""Wiring and entry point: `python -m notifications` serves the API on NOTIFICATIONS_PORT
(8003), consumes every topic the other services publish, and runs the delivery worker."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import NOTIFICATIONS_DELIVERIES, NOTIFICATIONS_GROUP
from fastapi import FastAPI
from runtime.http import create_app, prepare_process, serve
from runtime.service import ServiceRuntime

from notifications.api import ApiContext, router
from notifications.delivery import DeliveryWorker
from notifications.handlers import CONSUMED_TOPICS, handle_batch
from notifications.secret_box import secret_box
from notifications.settings import NotificationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: NotificationsSettings | None = None) -> FastAPI:
    """The service's app with its consumers and worker registered (nothing starts yet)."""
    settings = settings or NotificationsSettings()
    runtime = ServiceRuntime(
        settings, migrations_dir=MIGRATIONS, produces=[NOTIFICATIONS_DELIVERIES]
    )
    # A backlog's batches go set-based (handle_batch), interactive traffic event by event.
    runtime.consumer(
        group_id=NOTIFICATIONS_GROUP,
        topics=CONSUMED_TOPICS,
        # Until the handlers take the unit of work themselves (issue 13).
        handler=lambda uow, events: handle_batch(uow.session, events),
    )
    box = secret_box(settings)
    worker = DeliveryWorker(
        engine=runtime.engine, sessions=runtime.sessions, settings=settings, box=box
    )
    runtime.add(worker)
    app = create_app(runtime, title="notifications", routers=[router])
    app.state.notifications = ApiContext(settings=settings, box=box)
    app.state.delivery_worker = worker
    return app


def main() -> None:
    settings = NotificationsSettings()
    prepare_process(settings)
    serve(build(settings), settings)
