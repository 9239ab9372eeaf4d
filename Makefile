# The course in two commands:  make book  |  make test
# Both create .venv (Python 3.11) and install the pinned environment first.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
PIP_VERSION := 25.3
SCATTERTEXT := scattertext==0.2.2
# MathJax is served with the site (offline maths): fetched once from the npm registry
MATHJAX_VERSION := 3.2.2
MATHJAX := _vendor/_static/mathjax/tex-mml-chtml.js

# Tools of the environment first on PATH: nbgrader runs `alembic` as a
# subprocess when it creates a gradebook, and finds it only there.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Assignment ids: one folder per assignment in source/.
ASSIGNMENTS := $(notdir $(wildcard source/*))

.PHONY: help install book book-instructor test test-fast bench seeds grade assignments execute lock clean wheel student-bundle

help:
	@echo "make book         install (if needed) and build the site into _build/html (warnings are errors)"
	@echo "make book-instructor  the instructor edition, with solutions and mark schemes (never publish it),"
	@echo "                  into _build/instructor/_build/html (warnings are errors)"
	@echo "make test         install (if needed) and run the whole test suite: every tier (unit, notebooks, pipeline, book)"
	@echo "make test-fast    the unit tier only (under a minute)"
	@echo "make bench        time every notebook, each autograde, the sandbox's overhead and the book build"
	@echo "make seeds [K=5] [NB=chapters]  re-run chapters and assignments under K seeds; report how results move"
	@echo "                  (reference/seeds.json and the book page reference/stability.md)"
	@echo "make grade ASSIGNMENT=a1_rnn_vs_lstm [JOBS=2] [SCHEDULER=tcp://host:8786]"
	@echo "                  grade every submission in submitted/ (sandboxed, screened; JOBS at a time, or on a Dask cluster)"
	@echo "make assignments  regenerate assignments/ and solutions/ from source/ with nbgrader"
	@echo "make execute      re-run every chapter notebook top to bottom in a fresh kernel, in place"
	@echo "make lock         re-freeze requirements.txt from the current environment"
	@echo "make wheel        build the student wheel dist/lstm_course-<version>-py3-none-any.whl"
	@echo "make student-bundle  what students get: dist/student-bundle/ and dist/lstm-course-student-bundle.zip"
	@echo "make clean        remove build outputs and nbgrader working folders"

install: $(STAMP) $(MATHJAX)

# _config.yml copies _vendor/ into the site (html_extra_path: its _static/mathjax/ lands
# next to the theme's files in the site's _static/) and points mathjax_path
# at it; the folder is not committed (.gitignore)
$(MATHJAX):
	@command -v npm >/dev/null || { echo "npm is needed to fetch MathJax (Debian: apt-get install npm)"; exit 1; }
	npm install --silent --no-save --no-audit --no-fund --no-package-lock --prefix .cache/npm mathjax@$(MATHJAX_VERSION)
	rm -rf _vendor/_static/mathjax && mkdir -p _vendor/_static
	cp -r .cache/npm/node_modules/mathjax/es5 _vendor/_static/mathjax

$(STAMP): requirements.txt pyproject.toml grader/pyproject.toml config/ipython_kernel_config.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps $(SCATTERTEXT)
	$(PIP) install --quiet --no-deps -e . -e ./grader
	mkdir -p $(VENV)/etc/ipython
	cp config/ipython_kernel_config.py $(VENV)/etc/ipython/ipython_kernel_config.py
	$(PY) -m lstm_grader.sandbox install-kernelspec
	$(PY) -c "import lstm_course.data as d; d.scattertext_data_dir()"
	touch $(STAMP)

book: install
	$(VENV)/bin/jupyter-book build --warningiserror --keep-going .

# The site plus solutions/ and the mark schemes, for teaching assistants: never publish it.
# tools/instructor_edition.py builds it with --warningiserror; it holds no hidden test.
book-instructor: install
	$(PY) tools/instructor_edition.py --out _build/instructor

test: install
	$(PY) -m pytest

# The unit tier only (tests/unit: the package, no notebook, no nbgrader; under a minute).
# The other tiers: tests/notebooks (chapters/ under nbval; solutions/ compared with
# the graded run of each solution in tests/pipeline),
# tests/pipeline (nbgrader, the sandbox, the grader) and tests/book.
test-fast: install
	$(PY) -m pytest tests/unit

# make bench [BENCH="sandbox autograde"]: all benchmarks, or the named ones
bench: install
	$(PY) tools/bench.py $(BENCH)

# make seeds [K=5] [NB="chapters source"]: the seed sweep (slow: every notebook K times)
seeds: install
	$(PY) tools/seeds.py --seeds $(or $(K),5) --variants $(NB)

# make grade ASSIGNMENT=a1_rnn_vs_lstm [JOBS=N] [SCHEDULER=tcp://host:8786]: grade everyone in submitted/, sandboxed
grade: install
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=<assignment>"; exit 2; }
	$(VENV)/bin/lstm-course grade $(ASSIGNMENT) --jobs $(or $(JOBS),1) $(if $(SCHEDULER),--scheduler $(SCHEDULER))

assignments: install
	@for a in $(ASSIGNMENTS); do \
	  $(VENV)/bin/nbgrader generate_assignment $$a --force || exit 1; \
	  $(VENV)/bin/nbgrader generate_solution $$a --force || exit 1; \
	done

execute: install
	$(PY) tools/execute.py $(or $(NB),chapters)

lock: install
	$(PIP) freeze --exclude-editable | grep -v -i -e '^scattertext==' -e '^lstm.course' > requirements.tmp
	{ head -n 3 requirements.txt; cat requirements.tmp; } > requirements.new && rm requirements.tmp && mv requirements.new requirements.txt

# The student wheel: package lstm_course only (lstm_grader is not in it).
wheel: install
	$(PY) tools/student_bundle.py --wheel-only --out dist

# Release notebooks, chapters, the wheel, student requirements and README;
# no source/, solutions/, tests or grading code (checked before it is written).
student-bundle: install
	$(PY) tools/student_bundle.py --out dist/student-bundle --zip dist/lstm-course-student-bundle.zip

clean:
	rm -rf _build submitted autograded feedback release gradebook.db dist reports
