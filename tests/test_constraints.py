"""constraints.txt pins every library the project asks for (scripts/setup.sh installs with it),
so a fresh machine and CI get the versions the suite and the benchmarks were last run with."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, Requirement]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    reqs = [Requirement(x) for x in lines if x.strip() and not x.lstrip().startswith("#")]
    return {canonicalize_name(r.name): r for r in reqs}


def test_every_pin_is_one_version():
    pins = _pins()
    assert len(pins) > 50  # the whole environment, not only the direct dependencies
    loose = [str(r) for r in pins.values()
             if len(r.specifier) != 1 or next(iter(r.specifier)).operator != "=="]
    assert not loose, loose


def test_every_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(x) for x in
              [*project["dependencies"], *project["optional-dependencies"]["dev"]]]
    pins = _pins()
    missing = [r.name for r in wanted if canonicalize_name(r.name) not in pins]
    assert not missing, f"add to constraints.txt: {missing}"
    for r in wanted:
        version = next(iter(pins[canonicalize_name(r.name)].specifier)).version
        assert r.specifier.contains(version, prereleases=True), (str(r), version)
