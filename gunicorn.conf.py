"""Gunicorn's settings for the app (read from the working directory, as ``make serve-prod``
and the service in docs/deploy.md start it); the command line gives workers and address."""


def post_worker_init(_worker: object) -> None:
    """Each worker has built its app: keep that heap out of full garbage collections."""
    from rmt.heap import freeze_start_up_heap

    freeze_start_up_heap()
