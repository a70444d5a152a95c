# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_IMAGES ?= 12

.PHONY: run test install migrate seed worker bench-clean clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

# A random demo password, made once and kept out of git, so every run can print the logins.
.demo-password:
	$(PY) -c "import secrets; print(secrets.token_urlsafe(9))" > $@

seed: migrate .demo-password
	$(PY) manage.py seed_demo --images $(DEMO_IMAGES) --password "$$(cat .demo-password)"

run: seed
	@echo
	@echo "  Plateau Label on http://$(HOST):$(PORT)/   (API docs: /api/docs/, admin: /admin/)"
	@echo "  Demo logins: annotator1, annotator2, supervisor1, client1 — password $$(cat .demo-password)"
	@if [ -n "$$CELERY_BROKER_URL" ]; then echo "  Celery worker on $$CELERY_BROKER_URL"; \
	  else echo "  No CELERY_BROKER_URL: background jobs run inside the web process (eager mode)"; fi
	@echo "  Ctrl-C stops everything."
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	if [ -n "$$CELERY_BROKER_URL" ]; then \
	  $(VENV)/bin/celery -A config worker --beat -l info --concurrency 2 & \
	fi; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

worker: install
	$(VENV)/bin/celery -A config worker --beat -l info --concurrency 2

test: install
	@if [ -x /usr/bin/chromium ]; then echo "browser tests: on (/usr/bin/chromium)"; \
	  else echo "browser tests: SKIPPED (no /usr/bin/chromium; apt-get install -y chromium)"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache staticfiles .test-media
