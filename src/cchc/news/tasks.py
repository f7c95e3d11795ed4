"""Background tasks of the news portal (django-tasks, see settings ``TASKS``)."""

from django_tasks import task

from . import warming


@task()
def warm_portal_pages(paths: list[str]) -> int:
    """Render the portal pages at ``paths`` into the page cache (warming.py)."""
    return warming.warm(paths)
