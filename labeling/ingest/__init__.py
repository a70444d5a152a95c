"""Images in: validation, metadata, storage and derivatives.

The API upload, the browser upload page and ``manage.py import_images`` all
call :func:`labeling.ingest.batch.ingest_sources`; nothing else creates
images.
"""
