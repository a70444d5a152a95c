"""Automatic quality checks of submitted annotations.

``metrics`` and ``checks`` are pure (no database); ``report`` loads an
annotation, runs the checks and routes the task; ``enqueue`` and the sweep
make sure every submitted version gets exactly one report.
"""
