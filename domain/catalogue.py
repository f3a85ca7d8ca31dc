"""Imports every module that defines events, so the registry is complete wherever it is read."""

from __future__ import annotations

import importlib
import pkgutil

import domain

for _module in pkgutil.iter_modules(domain.__path__):
    importlib.import_module(f"domain.{_module.name}")
