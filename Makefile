# The two commands of the README: `make demo` (install + run the main job offline on embedded
# defaults) and `make test` (install + run the whole test suite). .ci/run calls `make test`.
VENV ?= .venv
export OMP_THREAD_LIMIT ?= 1
export HF_HUB_OFFLINE ?= 1

.PHONY: install demo test test-unit test-st lint bench clean

install:
	bash scripts/install.sh

demo: install
	$(VENV)/bin/canhbao demo

test: install
	bash scripts/test.sh

test-unit: install
	bash scripts/test.sh -m unit

# the optional sentence-transformers backend (torch, ~5 GB from PyPI; docs/install.md): not in `make test`
test-st: install
	$(VENV)/bin/pip install --disable-pip-version-check -q -e ".[st]"
	bash scripts/test.sh tests/test_embedding_backends.py

lint: install
	bash scripts/lint.sh

bench: install
	for b in bench/*.py; do $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
