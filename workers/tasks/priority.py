"""Physical AI tasks: classify a submitted application; re-publish any the broker lost."""

from __future__ import annotations

from celery import shared_task

from nup import background
from nup.applications.models import Application
from nup.applications.services import CLASSIFY_TASK
from nup.extensions import db
from nup.priority import services
from nup.timeutil import utcnow


@shared_task(name=CLASSIFY_TASK, acks_late=True)
def classify_application(application_id: int) -> str:
    application = db.session.get(Application, application_id)
    if application is None or application.classified_at is not None:
        return "skipped"  # rolled back, or already read by another delivery of this task
    services.classify_application(application, now=utcnow())
    db.session.commit()
    return "classified"


@shared_task(name="priority.sweep_unclassified", acks_late=True)
def sweep_unclassified() -> int:
    """Publish again the classification of submitted applications a lost message left unread."""
    rows = services.unclassified()
    for application_id, physical_ai in rows:
        background.send_now(
            CLASSIFY_TASK, queue="priority" if physical_ai else "default", application_id=application_id
        )
    return len(rows)
