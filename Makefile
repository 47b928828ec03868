# Movie Explorer: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ARTIFACTS ?= $(or $(MOVIE_ARTIFACTS),artifacts)

.PHONY: run test test-fast lint setup setup-dev artifacts system-deps bench evaluate container-check clean

## Set everything up (venv, pinned requirements, demo artifacts if missing) and run the app on :8501.
run: setup artifacts
	MOVIE_ARTIFACTS=$(ARTIFACTS) $(PY) -m streamlit run streamlit_app.py --server.port 8501 --server.address 0.0.0.0

## Set everything up (venv, pinned test requirements, system packages) and run the WHOLE suite:
## unit, AppTest, full TMDB data, UMAP, browser (Chromium) and container checks.
test: setup-dev system-deps lint
	$(PY) -m pytest -v --durations=15

## The fast set only (no UMAP, full data, browser or container).
test-fast: setup-dev lint
	$(PY) -m pytest -m "not slow" -q

## Lint (ruff, pinned in requirements-dev.txt) and the import boundaries (import-linter, pyproject.toml).
lint: setup-dev
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

setup: $(VENV)/.runtime-installed
setup-dev: $(VENV)/.dev-installed

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), f"Python 3.11+ needed, found {sys.version.split()[0]}"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

## Demo catalog artifacts, built when missing or when this code no longer loads them
## (a build of another catalog is never replaced: see scripts/demo_artifacts.py).
artifacts: setup
	$(PY) scripts/demo_artifacts.py $(ARTIFACTS)

## Debian packages the browser and container tests need (installs as root, else lists what is missing).
system-deps:
	bash scripts/install_system_deps.sh

bench: setup-dev
	$(PY) scripts/benchmark.py

evaluate: setup-dev
	$(PY) scripts/evaluate_settings.py

container-check: setup-dev system-deps
	bash scripts/check_container.sh

clean:
	rm -rf artifacts .pytest_cache
