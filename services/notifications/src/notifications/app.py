"""The one wiring place: `build` makes the service (runtime, consumer, delivery worker),
`create_app` its HTTP app, and `python -m notifications` serves it on NOTIFICATIONS_PORT
(8003), consuming every topic the other services publish and running the delivery worker."""

from __future__ import annotations

from pathlib import Path

from contracts.topics import NOTIFICATIONS_DELIVERIES, NOTIFICATIONS_GROUP
from fastapi import FastAPI
from runtime.http import create_app as create_service_app
from runtime.http import prepare_process, serve
from runtime.service import ServiceRuntime

from notifications.api import router
from notifications.delivery import DeliveryWorker
from notifications.handlers import CONSUMED_TOPICS, handle_batch
from notifications.secret_box import secret_box
from notifications.service import Notifications
from notifications.settings import NotificationsSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: NotificationsSettings) -> tuple[ServiceRuntime, Notifications]:
    """The service with its consumer and delivery worker registered (nothing starts yet)."""
    runtime = ServiceRuntime(
        settings, migrations_dir=MIGRATIONS, produces=[NOTIFICATIONS_DELIVERIES]
    )
    runtime.consumer(group_id=NOTIFICATIONS_GROUP, topics=CONSUMED_TOPICS, handler=handle_batch)
    notifications = runtime.handle(Notifications, settings=settings, box=secret_box(settings))
    runtime.add(
        DeliveryWorker(
            engine=runtime.engine, uow=runtime.uow, settings=settings, box=notifications.box
        )
    )
    return runtime, notifications


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The HTTP app; its lifespan starts and stops the runtime (consumer, relay, worker)."""
    runtime, notifications = build(settings or NotificationsSettings())
    return create_service_app(
        runtime, title="notifications", routers=[router], handle=notifications
    )


def main() -> None:
    settings = NotificationsSettings()
    prepare_process(settings)
    serve(create_app(settings), settings)
