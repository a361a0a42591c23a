# N-Up: `make run` serves the whole system; `make test` runs the whole suite.
# Both install what they need themselves, so a fresh clone works with no manual steps.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
CATALOGS := $(wildcard nup/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

# The date-sensitive tests (marked `calendar`) run again with the clock stopped where dates
# break: the last and the first second of a month and of a year in KST, and 29 February.
CALENDAR_INSTANTS := 2026-11-30T23:59:59+09:00 2026-12-01T00:00:00+09:00 \
	2026-12-31T23:59:59+09:00 2027-01-01T00:00:00+09:00 2028-02-29T12:00:00+09:00

.PHONY: run test test-calendar install lint translations extract-messages browser bench clean

run: install
	$(BIN)/nup db upgrade
	@if [ "$$NUP_ENV" = "production" ]; then echo "demo data: not loaded (NUP_ENV=production)"; else $(BIN)/nup demo --if-empty; fi
	$(BIN)/nup serve

test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-calendar

test-calendar: install
	@for instant in $(CALENDAR_INSTANTS); do \
	  echo "== date-sensitive tests with the clock stopped at $$instant"; \
	  NUP_TEST_NOW=$$instant $(BIN)/pytest -m calendar -q -p no:cacheprovider || exit 1; \
	done

install: $(STAMP_PY) $(STAMP_JS) $(COMPILED)

$(STAMP_PY): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(STAMP_JS): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

%.mo: %.po $(STAMP_PY)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(COMPILED)

# Re-extract translatable strings after adding any; then translate the new entries in
# nup/translations/ko/LC_MESSAGES/messages.po.
extract-messages: $(STAMP_PY)
	$(BIN)/pybabel extract -F nup/translations/babel.cfg -k _l -k lazy_gettext -o nup/translations/messages.pot .
	$(BIN)/pybabel update -i nup/translations/messages.pot -d nup/translations --no-fuzzy-matching

# Debian's Chromium and a CJK font for the browser tests; never a downloaded browser.
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || { \
	  echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

lint: $(STAMP_PY)
	$(BIN)/ruff check .

bench: install
	@echo "See bench/README.md for each benchmark and what it prints."

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache test-artifacts
