"""Imports every module that defines events, so the registry is complete wherever it is read."""

from __future__ import annotations

import importlib
import pkgutil

import domain

for _module in pkgutil.walk_packages(domain.__path__, prefix="domain."):
    importlib.import_module(_module.name)
