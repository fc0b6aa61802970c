# Two commands do all the set-up: `make run` starts the app on the demo data,
# `make test` runs every test. Both create .venv and install requirements.txt first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench demo i18n

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py

test: $(STAMP)
	$(PY) -m pytest

# Builds (or reuses) data/bench.db at 1,000,000 responses, times every read and
# write, then every page with AppTest on it. BENCH_ARGS go to the first, e.g.
# make bench BENCH_ARGS="--rebuild --runs 9".
bench: $(STAMP)
	$(PY) tests/benchmarks/bench.py $(BENCH_ARGS)
	CRM_DB=data/bench.db $(PY) tests/benchmarks/page_times.py

demo: $(STAMP)
	$(PY) -m crm_core demo --replace

# Re-extract the messages of the code into crm_core/locales/messages.pot and merge them into every .po.
i18n: $(STAMP)
	$(PY) -m crm_core.messages update
