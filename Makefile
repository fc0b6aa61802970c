# Two commands do all the set-up: `make run` starts the app on the demo data,
# `make test` runs every test. Both create .venv and install requirements.txt first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-browser demo i18n

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py

test: $(STAMP)
	$(PY) -m pytest

# Builds (or reuses) data/bench.db at 1,000,000 responses, times every read and
# write, then every page with AppTest on it, then every page in a real browser
# (bench-browser). BENCH_ARGS go to the first, e.g.
# make bench BENCH_ARGS="--rebuild --runs 9".
bench: $(STAMP)
	$(PY) tests/benchmarks/bench.py $(BENCH_ARGS)
	CRM_DB=data/bench.db $(PY) tests/benchmarks/page_times.py
	$(MAKE) bench-browser

# Every page served by a real `streamlit run` on a copy of data/bench.db and opened in
# headless Chromium: time to idle, server and browser CPU, sessions, memory, each also as a
# ratio to a bare Streamlit page. BROWSER_ARGS go to it, e.g. BROWSER_ARGS="--runs 5 --pages overview,journey".
bench-browser: $(STAMP)
	$(PY) tests/benchmarks/browser_bench.py --db data/bench.db $(BROWSER_ARGS)

demo: $(STAMP)
	$(PY) -m crm_core demo --replace

# Re-extract the messages of the code into crm_core/locales/messages.pot and merge them into every .po.
i18n: $(STAMP)
	$(PY) -m crm_core.messages update
