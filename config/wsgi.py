import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import the views and the Celery task modules now, not on a worker's first request.

    Django loads the URLconf (every view and serializer) lazily, and the
    submit path imports the task modules when it first queues a job: ~0.5 s
    that the first annotator served by each new worker would wait for.
    """
    from django.urls import get_resolver

    from config.celery import app

    get_resolver().reverse_dict  # noqa: B018 - populates the resolver
    app.loader.import_default_modules()


_warm_up()
