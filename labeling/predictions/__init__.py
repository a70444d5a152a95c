"""Predictions: model boxes on tasks, the ML backends that make them, and how good they are."""
