# Thin targets over scripts/. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv: from PATH, else installed from PyPI into .tools/ on first use.
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
PORT ?= 8050
# USER is always set by the login shell: only a USER given to make counts.
VISITOR := $(if $(filter command line,$(origin USER)),$(USER),)
VISITOR_GROUPS := $(if $(filter command line environment,$(origin GROUPS)),$(GROUPS),)

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(CURDIR)/.tools/bin/uv:
	@echo "uv not found: installing it from PyPI into .tools/"
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/python -m pip install --quiet uv

.venv/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard apps/*/pyproject.toml)
	$(UV) sync --frozen --all-packages
	@touch $@

.PHONY: env
env: .venv/.synced ## Create or update the environment (.venv)

.PHONY: list
list: .venv/.synced ## List the discovered apps
	@$(RUN) python -m scripts.catalog

.PHONY: run
run: .venv/.synced ## Serve APP like Connect: [PORT=8050] [PREFIX=/content/<id>/] [VANITY=/path/] [USER=] [GROUPS=a,b] [RELOAD=1]
	@$(RUN) python -m scripts.local.run "$(APP)" --port $(PORT) \
		$(if $(PREFIX),--prefix "$(PREFIX)") $(if $(VANITY),--vanity "$(VANITY)") \
		--user "$(VISITOR)" --groups "$(VISITOR_GROUPS)" \
		$(if $(filter 1 true yes,$(RELOAD)),--reload)

# The stand-in's port: PORT= given to make, else Connect's usual 3939.
CONNECT_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),3939)

.PHONY: connect-local
connect-local: .venv/.synced ## Local Connect stand-in, dev/test only: [PORT=3939] [API_KEY=] [STATE_DIR=] [USER= GROUPS=]
	@$(RUN) python -m scripts.connect_local --port $(CONNECT_PORT) \
		--state-dir "$(or $(STATE_DIR),build/connect-local)" \
		$(if $(API_KEY),--api-key "$(API_KEY)") \
		$(if $(VISITOR),--visitor "$(VISITOR):$(VISITOR_GROUPS)")

.PHONY: browser
browser: ## Make sure headless Chromium and chromedriver are installed
	@bash scripts/browser/ensure_browser.sh

# make test: pytest-xdist workers (0 = one process, no xdist). --dist loadscope:
# a module's tests stay on one worker, so a module-scoped server starts once;
# modules go out in collection order, slow_module ones first (tests/conftest.py).
TEST_WORKERS ?= auto

.PHONY: test
test: .venv/.synced browser ## Run every test in parallel: [ARGS="-k dashboard"] (pytest arguments) [TEST_WORKERS=auto]
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder $(ARGS)

.PHONY: bench
bench: .venv/.synced browser ## Benchmark apps vs baselines, update README: [QUICK=1] [BENCH_SKIP=suite-time]
	$(RUN) python -m scripts.perf.bench $(if $(filter 1 true yes,$(QUICK)),--quick)

.PHONY: bench-readme
bench-readme: .venv/.synced ## Rewrite the README's bench block from build/bench/results.json
	$(RUN) python -m scripts.perf.bench.readme

.PHONY: fuzz
fuzz: .venv/.synced ## Property-based tests (credentials header...) with 10,000 examples each
	$(RUN) pytest -m hypothesis --hypothesis-profile=fuzz --hypothesis-show-statistics

.PHONY: lint
lint: .venv/.synced ## ruff check and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

.PHONY: fmt
fmt: .venv/.synced ## Format and fix what ruff can
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

.PHONY: bundles
bundles: .venv/.synced ## Build build/bundles/<app>/ for every app (vendored connectkit, pins, manifest) [PYTHON_VERSION=]
	@$(RUN) python -m scripts.ship.bundles $(APP)

.PHONY: deploy-all
deploy-all: .venv/.synced ## Deploy every app to Connect (CONNECT_SERVER+CONNECT_API_KEY or SERVER=) [JOBS=4] [NAMESPACE=] [DRY_RUN=1]
	@$(RUN) python -m scripts.ship.deploy

.PHONY: deploy
deploy: .venv/.synced ## Deploy one app: APP=name (same settings as deploy-all)
	@if [ -z "$(APP)" ]; then echo "APP is not set: make deploy APP=<name> (make list shows them)" >&2; exit 2; fi
	@$(RUN) python -m scripts.ship.deploy "$(APP)"

.PHONY: typecheck
typecheck: .venv/.synced ## mypy (strict) over connectkit, the tooling and each app
	$(RUN) python -m scripts.checks.typecheck

.PHONY: check
check: lint typecheck gallery-check test ## What CI runs: format check, lint, type check, gallery, every test

.PHONY: new-app
new-app: .venv/.synced ## Create apps/NAME from the template, with its test: NAME=my-report [DESCRIPTION=...]
	@UV="$(UV)" $(RUN) python -m scripts.scaffold.new_app "$$NAME" $(if $(DESCRIPTION),--description "$$DESCRIPTION")

.PHONY: screenshots
screenshots: .venv/.synced browser ## Photograph every app (apps/<name>/screenshot.png) and rewrite the README gallery
	$(RUN) python -m scripts.gallery.screenshots

.PHONY: gallery-check
gallery-check: .venv/.synced ## Fail when the README gallery or an app's screenshot is missing or stale
	$(RUN) python -m scripts.gallery.table --check

.PHONY: load
load: .venv/.synced ## Load-test group-dashboard (gunicorn, 1M rows): [VISITORS=50] [DURATION=60] seconds
	$(RUN) python -m scripts.perf.load_dashboard --visitors $(or $(VISITORS),50) --duration $(or $(DURATION),60)
