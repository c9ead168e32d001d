"""Run background tasks: django-tasks-db's worker, plus a ticker that enqueues due work."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Worker

from portal import queue

logger = logging.getLogger("portal.worker")


class Ticker(threading.Thread):
    """Every ``every`` seconds, enqueue the periodic tasks that are not already waiting."""

    def __init__(self, every: float) -> None:
        super().__init__(name="gemba-ticker", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                queue.tick()
            except DatabaseError:
                # A locked SQLite file or a database restart: the next tick tries again.
                logger.warning("could not enqueue the periodic tasks; trying again in %s s", self.every)
            finally:
                connections.close_all()
            self.stopped.wait(self.every)


class Command(BaseCommand):
    help = (
        "Run Gemba's background tasks (closing and scoring due rounds, reminders) from the database "
        "queue, and look for due work every GEMBA_TICK_SECONDS. Stop with Ctrl+C or SIGTERM: the "
        "task in hand finishes first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue (default 1)"
        )
        parser.add_argument(
            "--tick",
            type=float,
            default=None,
            help="seconds between looks for due work (default GEMBA_TICK_SECONDS)",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="look for due work once, run every task waiting, then exit (for cron or a one-off)",
        )
        parser.add_argument("--worker-id", default=None, help="a name for this worker (default host:pid)")

    def handle(
        self, *args, interval: float, tick: float | None, batch: bool, worker_id: str | None, **options
    ):
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=(worker_id or f"{socket.gethostname()}:{os.getpid()}")[:64],
            excluded_queue_names=[],
        )
        if batch:
            queue.tick()
            worker.run()
            return
        every = tick if tick is not None else settings.GEMBA_TICK_SECONDS
        self.stdout.write(f"Gemba worker: running tasks, looking for due work every {every:g} s.")
        ticker = Ticker(every)
        ticker.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            ticker.stopped.set()
