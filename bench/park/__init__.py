"""The annotation park's load model: fill, stack, Locust users, capacity search."""
