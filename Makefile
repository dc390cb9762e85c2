# The platform's commands. Every target is idempotent and works from a fresh clone:
# it creates the virtualenv, installs what is missing and starts what it needs.
#   make run      the whole platform with demo data        make test   every test
#   make infra-up / infra-down   Kafka, PostgreSQL, Keycloak  make lint   ruff + mypy
#   make bench    benchmarks and their report
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
export RIGHTS_STATE_DIR ?= $(CURDIR)/.state
export PY
PYTEST_ARGS ?=

PACKAGES := contracts/pyproject.toml runtime/pyproject.toml gateway/pyproject.toml \
	services/filing/pyproject.toml services/licensing/pyproject.toml \
	services/notifications/pyproject.toml devstack/pyproject.toml web/pyproject.toml \
	ops/pyproject.toml

.PHONY: help venv tools deploy-tools infra-up infra-down infra-status idp-up idp-down cluster-up \
	cluster-down test test-unit test-integration test-e2e test-e2e-shifted graphiql run lint bench \
	faults constraints schemas clean-state register axe

help:
	@sed -n '2,5p' Makefile | sed 's/^# *//'

$(VENV)/.installed: requirements/constraints.txt $(wildcard requirements/*.in) $(PACKAGES)
	scripts/bootstrap.sh

venv: $(VENV)/.installed

# Debian packages beyond Python, Java and PostgreSQL (ICU headers for PyICU, faketime,
# chromium, kcat), and the deployment files' validators.
tools: deploy-tools
	scripts/system_packages.sh

# kubeconform and kustomize (Go programs, `go install` at pinned versions) for the tests of
# infra/docker and infra/k8s (tests/unit/deploy), into a cache outside git, once.
deploy-tools:
	scripts/deploy_tools.sh

# GraphiQL's files from npm (gateway/ide/package.json) into a cache outside git, once.
graphiql:
	gateway/ide/install.sh

# axe-core from npm (web/axe/package.json), which the browser tests inject into the web app's
# pages, into a cache outside git, once.
axe:
	web/axe/install.sh

infra-up: venv tools
	infra/postgres.sh up
	infra/kafka.sh up
	$(PY) infra/kafka_topics.py --bootstrap "$$(infra/kafka.sh bootstrap)"
	infra/keycloak.sh up

infra-down: idp-down
	infra/kafka.sh down
	infra/postgres.sh down

infra-status:
	infra/kafka.sh status
	infra/postgres.sh status
	infra/keycloak.sh status

# The identity provider (Keycloak, realm `rights`); its database lives in the PostgreSQL above.
idp-up: venv
	infra/postgres.sh up
	infra/keycloak.sh up

idp-down:
	infra/keycloak.sh down

# Three brokers on loopback (replication factor 3, min ISR 2) for fault tests.
cluster-up: venv
	infra/kafka.sh up --nodes 3
	KAFKA_REPLICATION_FACTOR=3 KAFKA_MIN_INSYNC_REPLICAS=2 \
		$(PY) infra/kafka_topics.py --bootstrap "$$(infra/kafka.sh bootstrap --nodes 3)"

cluster-down:
	infra/kafka.sh down --nodes 3

# Every test, then the e2e suite again with the clock moved (below): what CI runs.
test: infra-up graphiql axe
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	$(SHIFTED_E2E)

test-unit: venv deploy-tools
	$(VENV)/bin/pytest -m unit $(PYTEST_ARGS)

test-integration: infra-up
	$(VENV)/bin/pytest -m integration $(PYTEST_ARGS)

test-e2e: infra-up graphiql axe
	$(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

# The e2e suite with the wall clock of pytest and of every service process it starts moved
# FAKETIME_SHIFT ahead, so no date in the code, the tests or the demo can expire unnoticed.
# libfaketime comes in through LD_PRELOAD, which child processes inherit; Kafka and
# PostgreSQL are already running and keep the real time, as they would against a skewed
# client. FAKETIME_DONT_FAKE_MONOTONIC=1 moves only the wall clock: asyncio's loop, timeouts
# and sleeps run on CLOCK_MONOTONIC, and a faked one breaks timed waits (a deadline computed
# on the moved clock, waited for by the kernel on the real one, would not come for a year).
# Keycloak keeps the real time too, so its tokens look that much older to the moved processes:
# IDENTITY_LEEWAY_SECONDS tolerates exactly the shift (plus a day), here and nowhere else.
FAKETIME_SHIFT_DAYS ?= 400
FAKETIME_SHIFT = +$(FAKETIME_SHIFT_DAYS)d
SHIFTED_E2E = FAKETIME_DONT_FAKE_MONOTONIC=1 \
	IDENTITY_LEEWAY_SECONDS=$$(( ($(FAKETIME_SHIFT_DAYS) + 1) * 86400 )) \
	faketime -f "$(FAKETIME_SHIFT)" $(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

test-e2e-shifted: infra-up graphiql axe
	$(SHIFTED_E2E)

run: venv tools
	scripts/run.sh

lint: venv
	$(VENV)/bin/ruff check contracts runtime services gateway web devstack ops bench faults tests \
		infra
	$(VENV)/bin/mypy contracts/src runtime/src services/filing/src services/licensing/src \
		services/notifications/src gateway/src web/src devstack/src ops/src faults
	$(PY) -m contracts.generate --check
	$(PY) -m gateway.export_schema --check

bench: infra-up
	$(PY) -m bench

# The fault suite (faults/, README "Fault suite"): a seeded workload through the gateway while
# a nemesis kills services and brokers, restarts PostgreSQL and moves clocks, then the checker.
# Its own three brokers, PostgreSQL and platform: the shared infrastructure is not touched.
# FAULTS_SEED, FAULTS_OPERATIONS, FAULTS_PER_KIND, FAULTS_CONCURRENCY size and replay a run.
faults: venv tools
	$(PY) -m faults

# A register of REGISTER_WORKS works (default 7,300,000) in every ASEAN script, loaded with
# COPY into filing's database (FILING_DATABASE_URL), which must hold no works yet; PostgreSQL
# must be running (make infra-up). Another database: make register REGISTER_ARGS="--database-url URL".
# The same register as a bulk import's files (DIR/parties.csv, DIR/works.csv; no database):
# make register REGISTER_ARGS="--csv DIR --filer PARTY_UUID" (the party the import is filed by).
REGISTER_ARGS ?=
register: venv
	$(PY) -m devstack.register $(REGISTER_ARGS)

schemas: venv
	$(PY) -m contracts.generate
	$(PY) -m gateway.export_schema

# Re-pins every dependency (run after editing requirements/requirements.in).
constraints: venv
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --no-header \
		requirements/requirements.in -o requirements/constraints.txt

clean-state: infra-down
	rm -rf "$(RIGHTS_STATE_DIR)"
