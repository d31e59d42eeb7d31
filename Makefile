# The two commands of the README: `make demo` (install + run the main job offline on embedded
# defaults) and `make test` (install + run the whole test suite). .ci/run calls `make test`.
VENV ?= .venv
export OMP_THREAD_LIMIT ?= 1
export HF_HUB_OFFLINE ?= 1

.PHONY: install demo test test-unit lint bench clean

install:
	bash scripts/install.sh

demo: install
	$(VENV)/bin/canhbao demo

test: install
	bash scripts/test.sh

test-unit: install
	bash scripts/test.sh -m unit

lint: install
	bash scripts/lint.sh

bench: install
	for b in bench/*.py; do $(VENV)/bin/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
