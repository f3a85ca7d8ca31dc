"""Fail if anything under domain/ imports a module outside the standard library and domain itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "domain"


def offending_imports() -> list[str]:
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top != "domain" and top not in sys.stdlib_module_names and top != "__future__":
                    problems.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: imports {name}")
    return problems


if __name__ == "__main__":
    found = offending_imports()
    for line in found:
        print(line)
    if found:
        print("domain/ must import only the standard library and itself")
        sys.exit(1)
    print("domain/ imports only the standard library and itself")
