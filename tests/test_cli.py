"""The command line: output formats, ontology selection, and every bad-input message."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.cli.cli import main

GOOD = {
    "id": "cli-1",
    "anc": 150,
    "patient": {"age_years": 30, "sex": "male"},
    "findings": ["Fever"],
    "duration_days": 2,
    "medications": [{"name": "Clozaril", "started_days_ago": 60}, {"name": "lactulose"}],
}


@pytest.fixture()
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    return path


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rank_json_holds_the_documented_fields(mini_dir, case_file, capsys):
    code, out, err = run(
        ["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(case_file), "--format", "json", "--top", "2"],
        capsys,
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"case_id", "severity", "alerts", "findings", "unrecognized", "candidates", "mechanisms"} <= set(data)
    assert data["unrecognized"] == []  # lactulose is not in the mini ontology, but the drug lexicon knows it
    assert data["other_drugs"] == [
        {
            "written": "lactulose",
            "label": "Lactulose",
            "xref": "DrugBank:DB00581",
            "note": "a drug, DrugBank:DB00581, not a known cause of neutropenia",
        }
    ]
    top = data["candidates"][0]
    assert len(data["candidates"]) == 2
    assert {
        "rank",
        "id",
        "label",
        "synonyms",
        "xrefs",
        "mechanism",
        "category",
        "score",
        "agents",
        "evidence",
        "next_tests",
    } <= set(top)
    assert top["agents"][0] == {
        "id": "drug:clozapine",
        "label": "clozapine",
        "synonyms": ["Clozaril"],
        "xrefs": ["DrugBank:DB00363"],
    }
    assert all({"path", "sources", "log_lr"} <= set(e) for e in top["evidence"])


def test_rank_many_cases_in_one_call_as_jsonl(mini_dir, tmp_path, capsys):
    for index in range(3):
        (tmp_path / f"c{index}.json").write_text(json.dumps({**GOOD, "id": f"c{index}"}), encoding="utf-8")
    code, out, _ = run(
        ["rank", str(tmp_path), "--format", "jsonl", "--ontology", str(mini_dir / "neutropenia.ttl")], capsys
    )
    assert code == 0
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == ["c0", "c1", "c2"]


def test_rank_text_is_a_clinical_summary(mini_dir, case_file, capsys):
    code, out, _ = run(["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(case_file)], capsys)
    assert code == 0
    assert "severe neutropenia" in out and "[EMERGENCY] FEBRILE NEUTROPENIA" in out
    assert " 1. Mini drug agranulocytosis" in out
    assert "lactulose: a drug, DrugBank:DB00581, not a known cause of neutropenia" in out  # the drug lexicon


def test_the_ontology_can_come_from_the_environment(mini_dir, case_file, capsys, monkeypatch):
    monkeypatch.setenv("NEUTROPENIA_KG_ONTOLOGY", str(mini_dir / "neutropenia.ttl"))
    code, out, _ = run(["stats", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["counts"]["Cause"] == 4


def test_stats_counts_the_drugs_linked_to_causes(mini_dir, capsys):
    # the mini ontology links four drugs (clozapine, doxorubicin, methimazole, metamizole) and one
    # organism (EBV); only the drugs count
    root = str(mini_dir / "neutropenia.ttl")
    code, out, _ = run(["--ontology", root, "stats", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["drugs_linked_to_causes"] == 4
    code, out, _ = run(["--ontology", root, "stats"], capsys)
    assert code == 0 and "drugs linked to causes 4" in out


def write(tmp_path: Path, text: str, name: str = "bad.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "x", "anc": 500', "invalid JSON at line 1"),
        ('{"id": "x", "anc": 500, "labs": {"mcv_fl": 1', "invalid JSON"),
        ('{"id": "x"}', "'anc' is missing"),
        ('{"id": "x", "anc": "low"}', "'anc' must be a number"),
        ('{"id": "x", "anc": -200}', "'anc' must not be negative"),
        ('{"id": "x", "anc": 500, "patient": {"age_years": -1}}', "'patient.age_years' must not be negative"),
        ('{"id": "x", "anc": 500, "labs": {"platelets_per_ul": "low"}}', "'labs.platelets_per_ul' must be a number"),
        ("", "invalid JSON"),
    ],
)
def test_bad_cases_give_one_line_and_a_nonzero_exit(mini_dir, tmp_path, capsys, content, message):
    code, out, err = run(["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", write(tmp_path, content)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "bad.json" in err and "Traceback" not in err


def test_missing_and_unreadable_files(mini_dir, tmp_path, capsys):
    code, _, err = run(["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "nope.json: file or directory not found" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(empty)], capsys)
    assert code == 2 and "no *.json case files" in err


def test_a_bad_case_in_a_batch_does_not_stop_the_others(mini_dir, tmp_path, capsys):
    write(tmp_path, json.dumps(GOOD), "a.json")
    write(tmp_path, "{", "b.json")
    code, out, err = run(
        ["--ontology", str(mini_dir / "neutropenia.ttl"), "rank", str(tmp_path), "--format", "jsonl"], capsys
    )
    assert code == 2 and len(out.splitlines()) == 1 and "b.json" in err


def test_a_missing_ontology_is_named(case_file, tmp_path, capsys):
    code, _, err = run(["--ontology", str(tmp_path / "missing.ttl"), "rank", str(case_file)], capsys)
    assert code == 3 and "missing.ttl" in err and "not found" in err


def test_a_turtle_syntax_error_names_file_and_line(mini_dir, tmp_path, case_file, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in mini_dir.glob("*.ttl"):
        (broken / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (broken / "imports").mkdir()
    text = (broken / "mini-causes.ttl").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text) if t.startswith("drug:clozapine"))
    text[line] = text[line].replace('"clozapine"', '"clozapine')
    (broken / "mini-causes.ttl").write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _, err = run(["validate", str(broken / "neutropenia.ttl")], capsys)
    assert code == 3 and f"mini-causes.ttl, line {line + 1}: Turtle syntax error" in err
    code, _, err = run(["--ontology", str(broken / "neutropenia.ttl"), "rank", str(case_file)], capsys)
    assert code == 3 and "mini-causes.ttl, line" in err and err.count("\n") == 1


def test_bad_options_are_one_line_usage_errors(case_file, capsys):
    code, _, err = run(["rank", str(case_file), "--top", "0"], capsys)
    assert code == 2 and "--top must be at least 1" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["rank", str(case_file), "--format", "xml"])
    assert exit_info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_validate_reports_problems_with_a_nonzero_exit(mini_dir, tmp_path, capsys):
    broken = tmp_path / "structure"
    broken.mkdir()
    for file in mini_dir.glob("*.ttl"):
        (broken / file.name).write_text(file.read_text(encoding="utf-8"), encoding="utf-8")
    (broken / "imports").mkdir()
    (broken / "imports" / "hpo-terms.tsv").write_text((mini_dir / "imports" / "hpo-terms.tsv").read_text())
    text = (broken / "mini-causes.ttl").read_text(encoding="utf-8")
    text = text.replace("nkg:frequency 0.7 ;", "nkg:frequency 1.7 ;").replace(
        'nkg:xref "NCBITaxon:10376"', 'nkg:xref "NCBITaxon:ten"'
    )
    (broken / "mini-causes.ttl").write_text(text, encoding="utf-8")
    code, out, _ = run(["validate", str(broken / "neutropenia.ttl")], capsys)
    assert code == 1
    assert "[frequency-range]" in out and "[xref-format]" in out and "Epstein-Barr virus" in out


def test_python_dash_m_graph_runs_the_same_cli(mini_dir, case_file):
    env = {**os.environ, "NEUTROPENIA_KG_ONTOLOGY": str(mini_dir / "neutropenia.ttl")}
    done = subprocess.run(
        [sys.executable, "-m", "graph", "rank", str(case_file), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["case_id"] == "cli-1"
