#!/usr/bin/env bash
# Install everything briefpack needs and render the example packs into output/.
source "$(dirname "$0")/_setup.sh"
install_python_packages ""
cd "$ROOT"
"$VENV/bin/briefpack" build briefs/packs/*.yaml "$@"
