from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.queue import queue_health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers and the task queue moves;
    503 when the database does not answer, or a task or a due round has waited longer than
    GEMBA_QUEUE_STALE_SECONDS (no worker runs, or none keeps up)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        queue = queue_health()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "reason": "the database does not answer"},
            status=503,
        )
    body = {"status": "ok", "database": "ok", "version": settings.VERSION, "queue": queue.as_dict()}
    if queue.problem:
        body.update(status="unavailable", reason=queue.problem)
        return JsonResponse(body, status=503)
    return JsonResponse(body)
