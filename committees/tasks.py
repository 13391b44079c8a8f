"""Background work of the committees app: thin wrappers around services."""

from celery import shared_task

from . import services
from .models import ImportJob


@shared_task(acks_late=True)
def run_import_job(job_id: int) -> None:
    """Run the import job `job_id`. Late acknowledgement: if the worker dies mid-import,
    the import's transaction is rolled back and the job is run again on redelivery."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:  # deleted meanwhile
        return
    services.import_job_run(job=job)
