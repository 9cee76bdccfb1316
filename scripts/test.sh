#!/usr/bin/env bash
# Install briefpack with its test dependencies and run the test suite.
source "$(dirname "$0")/_setup.sh"
install_python_packages "[test]"
cd "$ROOT"
"$VENV/bin/python" -m pytest "$@"
