# Thin targets over scripts/. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv: from PATH, else installed from PyPI into .tools/ on first use. The version is
# pyproject.toml's [tool.uv] required-version and every workflow's setup-uv
# `version:` (tests/repo/test_uv_pinned.py keeps the three equal).
UV_VERSION := 0.13.9
UV ?= $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
PORT ?= 8050
# The visitor for `make run` and `make connect-local`. The login shell sets
# USER to your own name, so USER counts when given to make (make run USER=alice)
# or set in the environment to another name than your login (USER=alice make run).
# The runner names an ignored USER or GROUPS and says why.
LOGIN_NAME := $(shell id -un 2>/dev/null)
VISITOR_GROUPS := $(if $(filter command line environment,$(origin GROUPS)),$(GROUPS),)
USER_COUNTS := $(or $(filter command line,$(origin USER)),$(and $(filter environment,$(origin USER)),$(filter-out $(LOGIN_NAME),$(USER))))
VISITOR := $(if $(USER_COUNTS),$(USER),)

.PHONY: help
help: ## List the targets
	@if [ -t 1 ]; then on=$$'\033[36m' off=$$'\033[0m'; else on= off=; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-19s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

$(CURDIR)/.tools/bin/uv:
	@echo "uv not found: installing it from PyPI into .tools/"
	python3 -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard apps/*/pyproject.toml)
	@# --compile-bytecode: .pyc files written once, as pip does on a server, so a
	@# shell with PYTHONDONTWRITEBYTECODE=1 does not recompile Dash at every start.
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

.PHONY: env
env: .venv/.synced ## Create or update the environment (.venv)

.PHONY: list
list: .venv/.synced ## List the apps, each with its one-line description
	@$(RUN) python -m scripts.catalog

.PHONY: run
run: .venv/.synced ## Serve APP like Connect: [PORT=8050] [PREFIX=/content/<id>/] [VANITY=/path/] [USER=] [GROUPS=a,b] [RELOAD=1] [PROCESSES=1] [REDIS_URL=]
	@$(RUN) python -m scripts.runner.run "$(APP)" --port $(PORT) \
		$(if $(PREFIX),--prefix "$(PREFIX)") $(if $(VANITY),--vanity "$(VANITY)") \
		--user "$(VISITOR)" --groups "$(VISITOR_GROUPS)" $(if $(VISITOR),,--ignored-user "$(USER)") \
		$(if $(filter 1 true yes,$(RELOAD)),--reload) $(if $(PROCESSES),--processes $(PROCESSES))

# The stand-in's port: PORT= given to make, else Connect's usual 3939.
CONNECT_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),3939)

.PHONY: connect-local
connect-local: .venv/.synced ## Local Connect stand-in, dev/test only: [PORT=3939] [API_KEY=] [STATE_DIR=] [USER= GROUPS=] [USER_KEYS="ada:administrator:ada-key ..."] [IDENTITY_TRUST=trust.json]
	@$(RUN) python -m scripts.connect_local --port $(CONNECT_PORT) --groups-from-apps \
		$(foreach spec,$(USER_KEYS),--user-key "$(spec)") \
		--state-dir "$(or $(STATE_DIR),build/connect-local)" \
		$(if $(API_KEY),--api-key "$(API_KEY)") \
		$(if $(IDENTITY_TRUST),--identity-trust "$(IDENTITY_TRUST)") \
		$(if $(VISITOR),--visitor "$(VISITOR):$(VISITOR_GROUPS)")

.PHONY: browser
browser: ## Make sure headless Chromium and chromedriver are installed
	@bash scripts/browser/ensure_browser.sh

.PHONY: worker
worker: .venv/.synced ## Run APP's Celery worker for its background jobs: REDIS_URL=redis://HOST:6379/0 (same settings as the app)
	@$(RUN) python -m scripts.runner.worker "$(APP)"

.PHONY: redis
redis: ## Make sure redis-server is installed (the tests start their own server)
	@bash scripts/runner/ensure_redis.sh

.PHONY: postgres
postgres: ## Make sure PostgreSQL's server binaries are installed (the tests start their own server)
	@bash scripts/runner/ensure_postgres.sh

# make test: pytest-xdist workers (0 = one process, no xdist). --dist loadscope:
# a module's tests stay on one worker, so a module-scoped server starts once;
# modules go out in collection order, slow ones first (tests/conftest.py).
TEST_WORKERS ?= auto

# make test leaves out the long pipeline tests (marks `slow` and `connect`:
# deploys, previews, the scaffold's fresh copy, load replays), which
# make test-slow runs and make check (CI) runs too; with APP= it runs all of
# that app's tests. A -m in ARGS replaces the selection.
QUICK_SELECTION := not slow and not connect

.PHONY: test
test: .venv/.synced browser postgres redis ## Run the tests in parallel, all but the slow pipelines (make test-slow): [APP=name] (every test of that app) [ARGS="-m 'not browser'"] [TEST_WORKERS=auto]
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder $(if $(APP),--app "$(APP)",-m "$(QUICK_SELECTION)") $(ARGS)

.PHONY: test-slow
test-slow: .venv/.synced browser postgres redis ## Run the slow pipeline tests (marks slow, connect) against the stand-in: [ARGS=] [TEST_WORKERS=auto]
	$(RUN) pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder -m "not ($(QUICK_SELECTION))" $(ARGS)

# make test-under-load: the flakiness proof. make test, RUNS times in a row,
# beside HOGS busy processes (a shared CI runner, a laptop compiling); APP=,
# ARGS= and TEST_WORKERS= reach each make test. Fails when any run fails.
.PHONY: test-under-load
test-under-load: .venv/.synced browser postgres redis ## make test RUNS=3 times in a row beside a CPU hog (HOGS=2 busy processes): [APP=] [ARGS=]
	$(RUN) python -m scripts.perf.under_load --runs $(or $(RUNS),3) --hogs $(or $(HOGS),2)

# make test-connect: the tests that need a Connect server (mark `connect`), against
# the stand-in; given CONNECT_SERVER (and CONNECT_API_KEY, an administrator's key,
# read from the environment, never put on a command line) against that server.
.PHONY: test-connect
test-connect: .venv/.synced browser ## Deploy, preview, OAuth and app tests on Connect: the stand-in, or CONNECT_SERVER= CONNECT_API_KEY= [ARGS=] [TEST_WORKERS=auto]
	$(RUN) pytest -m connect -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder \
		$(if $(CONNECT_SERVER),--connect-server "$(CONNECT_SERVER)") $(ARGS)

.PHONY: bench
bench: .venv/.synced browser postgres redis ## Benchmark apps vs baselines, update README: [QUICK=1] [BENCH_SKIP=suite-time]
	$(RUN) python -m scripts.perf.bench $(if $(filter 1 true yes,$(QUICK)),--quick)

# Load tests (scripts/loadtest/, docs/loadtest.md). Every run is bounded: VISITS per
# visitor, DURATION seconds and MAX_REQUESTS at most. The visitors' keys for a
# TARGET (the stand-in, Connect) come from LOADTEST_API_KEYS in the environment.
.PHONY: record
record: .venv/.synced browser ## Record APP's visit in Chromium into apps/<name>/loadtest/session.json: [USER= GROUPS=] [MANUAL=1] (you play it, visible browser)
	@if [ -z "$(APP)" ]; then echo "APP is not set: make record APP=<name> (make list shows them)" >&2; exit 2; fi
	@$(RUN) python -m scripts.loadtest.record "$(APP)" $(if $(VISITOR),--user "$(VISITOR)" --groups "$(VISITOR_GROUPS)") \
		$(if $(filter 1 true yes,$(MANUAL)),--manual)

.PHONY: loadtest
loadtest: .venv/.synced ## Replay APP's recording with USERS=N visitors (Locust): [VISITS=3] [DURATION=60] [MAX_REQUESTS=] [THINK=1] [PAUSE=1] [WORKERS=k] [PROCESSES=1] [TARGET=url] [UI=1]
	@if [ -z "$(APP)" ]; then echo "APP is not set: make loadtest APP=<name> USERS=20" >&2; exit 2; fi
	@$(RUN) python -m scripts.loadtest.replay "$(APP)" --users $(or $(USERS),10) --visits $(or $(VISITS),3) \
		--duration $(or $(DURATION),60) $(if $(MAX_REQUESTS),--max-requests $(MAX_REQUESTS)) \
		--think-scale $(or $(THINK),1) --pause $(or $(PAUSE),1) --workers $(or $(WORKERS),0) \
		--processes $(or $(PROCESSES),1) $(if $(TARGET),--url "$(TARGET)") $(if $(filter 1 true yes,$(UI)),--ui)

.PHONY: capacity
capacity: .venv/.synced ## Visitors one process of APP holds, its chart and Connect settings: [TARGET_MS=500] [PEAK=] [STEP_SECONDS=20] [PAUSE=2] [WRITE=1]
	@if [ -z "$(APP)" ]; then echo "APP is not set: make capacity APP=<name> [PEAK=200]" >&2; exit 2; fi
	@$(RUN) python -m scripts.loadtest.capacity "$(APP)" --target-ms $(or $(TARGET_MS),500) \
		--step-seconds $(or $(STEP_SECONDS),20) --pause $(or $(PAUSE),2) $(if $(PEAK),--peak $(PEAK)) \
		$(if $(filter 1 true yes,$(WRITE)),--write)

.PHONY: bench-readme
bench-readme: .venv/.synced ## Rewrite the README's bench block from build/bench/results.json
	$(RUN) python -m scripts.perf.bench.readme

.PHONY: plotly-bundle
plotly-bundle: .venv/.synced ## Re-fetch connectkit's partial plotly.js (apps with plotly_basic=True) (npm plotly.js-basic-dist-min, the installed plotly's version)
	$(RUN) python -m scripts.perf.plotly_bundle

.PHONY: bootstrap-subset
bootstrap-subset: .venv/.synced ## Regenerate connectkit's Bootstrap CSS subset (after an app uses a new class)
	$(RUN) python -m scripts.css.bootstrap_subset

.PHONY: fuzz
fuzz: .venv/.synced ## Property-based tests (credentials header...) with 10,000 examples each
	$(RUN) pytest -m hypothesis --hypothesis-profile=fuzz --hypothesis-show-statistics

.PHONY: lint
lint: .venv/.synced ## ruff check and format check, actionlint and zizmor (auditor persona) on .github/workflows/
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) actionlint
	$(RUN) zizmor --offline --quiet --persona auditor .github/workflows

.PHONY: fmt
fmt: .venv/.synced ## Format and fix what ruff can
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

.PHONY: bundles
bundles: .venv/.synced ## Build build/bundles/<app>/ for every app (vendored connectkit, pins, manifest) [PYTHON_VERSION=]
	@$(RUN) python -m scripts.bundle $(APP)

.PHONY: deploy-all
deploy-all: .venv/.synced ## Deploy every app to Connect (CONNECT_SERVER + CONNECT_API_KEY or CONNECT_IDENTITY_TOKEN[_FILE], or SERVER=) [JOBS=4] [NAMESPACE=] [DRY_RUN=1] [FORCE=1] [VERBOSE=1]
	@$(RUN) python -m scripts.deploy

.PHONY: deploy
deploy: .venv/.synced ## Deploy one app: APP=name (same settings as deploy-all)
	@if [ -z "$(APP)" ]; then echo "APP is not set: make deploy APP=<name> (make list shows them)" >&2; exit 2; fi
	@$(RUN) python -m scripts.catalog --check "$(APP)"
	@$(RUN) python -m scripts.deploy "$(APP)"

.PHONY: preview
preview: .venv/.synced ## Each changed app as its own preview item <namespace>-pr<N>-<app>: PR=number [BASE=commit] [NAMESPACE=] [PREVIEW_DRAFTS=1]
	@$(RUN) python -m scripts.preview preview --pr "$(PR)" $(APP)

.PHONY: preview-cleanup
preview-cleanup: .venv/.synced ## Delete PR=number's preview items (and drafts recorded in build/preview/pr-N.md)
	@$(RUN) python -m scripts.preview cleanup --pr "$(PR)"

.PHONY: github-check
github-check: .venv/.synced ## Compare the repository's GitHub settings with docs/security.md: GITHUB_TOKEN= GITHUB_REPOSITORY=owner/repo (reads only)
	@$(RUN) python -m scripts.checks.github_settings

.PHONY: typecheck
typecheck: .venv/.synced ## mypy (strict) over connectkit, the tooling and each app
	$(RUN) python -m scripts.checks.typecheck

.PHONY: release-check
release-check: .venv/.synced ## connectkit: version bumped for its code (shared/release.json), wheel+sdist build, twine check, install alone
	@UV="$(UV)" $(RUN) python -m scripts.release check

.PHONY: release-record
release-record: .venv/.synced ## connectkit: record its files as its (bumped) version, after the CHANGELOG entry
	@$(RUN) python -m scripts.release record

.PHONY: check
check: lint typecheck gallery-check release-check test test-slow ## What CI runs: format check, lint, type check, gallery, connectkit's release, every test (test + test-slow)

.PHONY: new-app
new-app: .venv/.synced browser ## Create apps/NAME from the template, with its test and its gallery picture: NAME=my-report [DESCRIPTION=...]
	@UV="$(UV)" $(RUN) python -m scripts.scaffold.new_app "$$NAME" $(if $(DESCRIPTION),--description "$$DESCRIPTION")
	@$(RUN) python -m scripts.gallery.screenshots "$$NAME"

.PHONY: remove-app
remove-app: .venv/.synced ## Remove apps/NAME and its test, then re-lock (the reverse of new-app) [FORCE=1 for a sample app]
	@UV="$(UV)" $(RUN) python -m scripts.scaffold.remove_app "$$NAME" $(if $(filter 1 true yes,$(FORCE)),--force)

.PHONY: pre-commit-install
pre-commit-install: .venv/.synced ## Install the git pre-commit hook (ruff, ruff format, uv lock --check)
	$(RUN) pre-commit install

.PHONY: screenshots
screenshots: .venv/.synced browser ## Photograph every app, or APP=name (apps/<name>/screenshot.png), and rewrite the README gallery
	$(RUN) python -m scripts.gallery.screenshots $(APP)

.PHONY: gallery-check
gallery-check: .venv/.synced ## Fail when the README gallery or an app's screenshot is missing or stale
	$(RUN) python -m scripts.gallery.table --check

.PHONY: data
data: .venv/.synced ## Load group-dashboard's demo data: [DASHBOARD_ROWS=1000000] [DATABASE_URL=postgresql://...] [FORCE=1]
	cd apps/group-dashboard && $(RUN) python -m sales.load $(if $(filter 1 true yes,$(FORCE)),--force)

.PHONY: load
load: .venv/.synced ## Load-test group-dashboard (gunicorn, 1M rows): [VISITORS=50] [DURATION=60] seconds
	$(RUN) python -m scripts.perf.load_dashboard --visitors $(or $(VISITORS),50) --duration $(or $(DURATION),60)
