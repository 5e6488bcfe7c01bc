"""The real-patient corpus (``scripts/real_cases.py``): every case of the dev/test split names its
published source by a PMID, DOI or PMCID (issue 8); cases whose source has none are kept apart in
``tests/data/real-unindexed/``, which ``add`` never fills and ``score`` reports with figures only."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("real_cases", ROOT / "scripts" / "real_cases.py")
real_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(real_cases)

DATA = ROOT / "tests" / "data"


def _sources(part: str) -> dict[str, str]:
    files = sorted((DATA / f"real-{part}").glob("*.json"))
    return {f.name: json.loads(f.read_text(encoding="utf-8"))["expected"].get("source", "") for f in files}


@pytest.mark.parametrize("part", real_cases.PARTS)
def test_every_case_of_the_split_names_its_source_by_pmid_doi_or_pmcid(part):
    sources = _sources(part)
    assert sources, part
    unindexed = {name: source for name, source in sources.items() if not real_cases.indexed({"source": source})}
    assert not unindexed, f"real-{part}/ cases without a PMID, DOI or PMCID in expected.source: {unindexed}"


def test_the_unindexed_part_holds_only_cases_whose_source_has_no_index_id():
    sources = _sources(real_cases.UNINDEXED)
    assert sources
    assert not [name for name, source in sources.items() if real_cases.indexed({"source": source})]


def test_case_ids_are_unique_across_the_three_parts():
    names = [name for part in real_cases.SCORED for name in _sources(part)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("PMID:12345678", True),
        ("DOI:10.1000/xyz123", True),
        ("PMCID:PMC3736388", True),
        ("doi: 10.1000/abc.2019 (a case report)", True),
        ("shmabstracts.org/abstract/feltys-syndrome/ (no DOI/PMID shown)", False),
        ("Blood 2015;126(23):4977", False),
        ("DOI: not shown on the page read", False),
    ],
)
def test_an_index_id_is_recognised_in_a_source(source, expected):
    assert real_cases.indexed({"source": source}) is expected


def test_add_refuses_a_case_whose_source_has_no_index_id(tmp_path):
    case = {"id": "real-zz-001", "expected": {"source": "Hospital Medicine 2011, abstract 1", "accept": ["x"]}}
    (tmp_path / "real-zz-001.json").write_text(json.dumps(case), encoding="utf-8")
    with pytest.raises(SystemExit, match="no PMID, DOI or PMCID"):
        real_cases.add([tmp_path])


def test_score_reports_the_unindexed_part_apart_with_figures_only(capsys):
    assert real_cases.main(["score", "--part", real_cases.UNINDEXED]) == 0
    out = capsys.readouterr().out
    count = len(_sources(real_cases.UNINDEXED))
    assert out.startswith(
        f"== unindexed: cases whose published source has no PMID or DOI; reported apart ({count} cases)"
    )
    assert "misses (not ranked first)" not in out and "refused (counted as misses):" in out
    assert "top1=" in out


def test_add_refuses_a_report_the_corpus_already_transcribes(tmp_path):
    dev_case = json.loads(sorted((DATA / "real-dev").glob("*.json"))[0].read_text(encoding="utf-8"))
    copy = {"id": "real-zz-002", "expected": {"source": dev_case["expected"]["source"], "accept": ["x"]}}
    (tmp_path / "real-zz-002.json").write_text(json.dumps(copy), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"already transcribed \(real-dev/"):
        real_cases.add([tmp_path])
    assert not any((DATA / f"real-{part}" / "real-zz-002.json").exists() for part in real_cases.PARTS)


def test_add_refuses_the_same_report_twice_in_one_batch(tmp_path):
    for number in (3, 4):
        case = {"id": f"real-zz-00{number}", "expected": {"source": "PMID:1", "accept": ["x"]}}
        (tmp_path / f"real-zz-00{number}.json").write_text(json.dumps(case), encoding="utf-8")
    with pytest.raises(SystemExit, match="pmid:1 is already transcribed"):
        real_cases.add([tmp_path])
    assert not any((DATA / f"real-{part}" / "real-zz-003.json").exists() for part in real_cases.PARTS)
