"""Import boundaries, checked rather than promised: the contracts in pyproject.toml
(import-linter), and scripts/ standing on their own (they never import tests/)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    """recommender/ imports neither streamlit nor plotly; serving imports no scikit-learn,
    NLTK, UMAP or pandas (pyproject.toml [tool.importlinter])."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_scripts_do_not_import_tests() -> None:
    offenders = []
    for script in sorted((REPO / "scripts").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{script.name}: {name}" for name in names if name == "tests" or name.startswith("tests.")]
    assert offenders == []
