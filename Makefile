# Two commands do all the set-up: `make run` starts the app on the demo data,
# `make test` runs every test. Both create .venv and install requirements.txt first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# `make run` serves this computer only (the demo runs open, without accounts); the LAN is a
# deliberate choice: make run HOST=0.0.0.0 PORT=8600.
HOST ?= 127.0.0.1
PORT ?= 8501

.PHONY: run test bench bench-browser bench-writers demo i18n

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.address $(HOST) --server.port $(PORT)

# The suite runs on SQLite, then again on a throwaway PostgreSQL server the tests start
# themselves when PostgreSQL's server programs are installed (.ci/run installs them).
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "--- the suite again on PostgreSQL"; CRM_TEST_BACKEND=postgresql $(PY) -m pytest; \
	else echo "PostgreSQL's server programs are not installed: the suite ran on SQLite only"; fi

# Builds (or reuses) the bench database at 1,000,000 responses, times every read and
# write, then every page with AppTest on it, then every page in a real browser
# (bench-browser). BENCH_DB: the database, data/bench.db by default, or a PostgreSQL URL
# whose rows it may replace (make bench BENCH_DB=postgresql://crm@/bench). BENCH_ARGS go
# to the first, e.g. make bench BENCH_ARGS="--rebuild --runs 9".
BENCH_DB ?= data/bench.db
bench: $(STAMP)
	$(PY) tests/benchmarks/bench.py --db "$(BENCH_DB)" $(BENCH_ARGS)
	CRM_DB="$(BENCH_DB)" $(PY) tests/benchmarks/page_times.py
	$(MAKE) bench-browser

# Every page served by a real `streamlit run` on a copy of the bench database and opened in
# headless Chromium: time to idle, server and browser CPU, sessions, memory, each also as a
# ratio to a bare Streamlit page. BROWSER_ARGS go to it, e.g. BROWSER_ARGS="--runs 5 --pages overview,journey".
bench-browser: $(STAMP)
	$(PY) tests/benchmarks/browser_bench.py --db "$(BENCH_DB)" $(BROWSER_ARGS)

# 1 against 8 writers at once through crm_core's write function, on SQLite and on PostgreSQL.
bench-writers: $(STAMP)
	$(PY) tests/benchmarks/writers.py $(WRITERS_ARGS)

demo: $(STAMP)
	$(PY) -m crm_core demo --replace

# Re-extract the messages of the code into crm_core/locales/messages.pot and merge them into every .po.
i18n: $(STAMP)
	$(PY) -m crm_core.messages update
