"""Every periodic job names a task the worker knows.

A wrong name is silent where it hurts: beat sends the message every interval
and the worker drops it as unregistered, so the sweep that was meant to repair
an outage never runs.
"""

from config.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    unknown = {entry: spec["task"] for entry, spec in app.conf.beat_schedule.items() if spec["task"] not in app.tasks}
    assert unknown == {}


def test_the_quality_sweep_is_scheduled():
    names = {spec["task"] for spec in app.conf.beat_schedule.values()}
    assert "labeling.quality.sweep" in names
