# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_IMAGES ?= 12
export HOST PORT DEMO_IMAGES

.PHONY: run test install install-dev migrate worker clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# `make run` installs only what the site runs; `make test` adds requirements-dev.txt.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Translations: .po (in git) -> .mo with Babel, no system gettext (config/i18n.py).
messages: $(VENV)/.installed
	@$(PY) -m config.i18n compile

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed messages
install-dev: $(VENV)/.installed-dev

# Starts the database (the embedded one when DATABASE_URL is unset), migrates,
# seeds the demo once, serves, and stops all of it on Ctrl-C.
run: install
	@$(PY) -m config.launcher

migrate: install
	$(PY) manage.py migrate --noinput

worker: install
	mkdir -p .state
	$(VENV)/bin/celery -A config worker --beat -l info --concurrency 2 --schedule .state/celerybeat-schedule

test: install-dev messages
	@if [ -x /usr/bin/chromium ]; then echo "browser tests: on (/usr/bin/chromium)"; \
	  else echo "browser tests: SKIPPED (no /usr/bin/chromium; apt-get install -y chromium)"; fi
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-datumaro .pytest_cache staticfiles .test-media
