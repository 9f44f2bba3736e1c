# tests/local.mk: unit and end-to-end suites, run by make check.
