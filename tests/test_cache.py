"""The compiled-ontology cache: reused when nothing changed, rebuilt after an edit or damage."""

import os
import shutil
import time

from graph.knowledge import load_knowledge_base


def test_an_edited_ontology_is_recompiled_and_a_damaged_cache_rebuilt(mini_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NEUTROPENIA_KG_CACHE", str(cache))
    copy = tmp_path / "onto"
    shutil.copytree(mini_dir, copy)
    root = copy / "neutropenia.ttl"
    first = load_knowledge_base(root)
    assert len(list(cache.glob("kb-*.pickle"))) == 1
    assert load_knowledge_base(root).causes.keys() == first.causes.keys()

    module = copy / "mini-causes.ttl"
    text = module.read_text(encoding="utf-8").replace('rdfs:label "Mini viral infection"', 'rdfs:label "Edited virus"')
    time.sleep(0.01)
    module.write_text(text, encoding="utf-8")
    assert "Edited virus" in {c.label for c in load_knowledge_base(root).causes.values()}

    for pickled in cache.glob("kb-*.pickle"):
        pickled.write_bytes(b"not a pickle")
        os.utime(pickled)
    assert "Edited virus" in {c.label for c in load_knowledge_base(root).causes.values()}
