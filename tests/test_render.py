"""The graph page: drawn offline, styled by kind and evidence, and inert with hostile labels."""

import base64
import hashlib
import re

import networkx as nx
import pytest
from conftest import MINI_CASE

pytest.importorskip("pyvis")

from hostile import PAYLOADS, SENTINEL, make_hostile_ontology  # noqa: E402

from graph.kb.knowledge import load_knowledge_base  # noqa: E402
from graph.model.ids import expand  # noqa: E402
from graph.present.graphview import node_neighbourhood, workup_graph  # noqa: E402
from graph.present.render import _CLICK_SCRIPT, RenderError, legend, network_html, node_style  # noqa: E402
from graph.workup.pipeline import workup_case  # noqa: E402

CASE = {**MINI_CASE, "id": "r1", "medications": MINI_CASE["medications"][:1]}


@pytest.fixture(scope="module")
def hostile_kb(mini_dir, tmp_path_factory):
    return load_knowledge_base(
        make_hostile_ontology(mini_dir, tmp_path_factory.mktemp("hostile") / "onto"), use_cache=False
    )


def scripts(page):
    return re.findall(r"<script(?:\s+type=\"text/javascript\")?>(.*?)</script>", page, re.S)


def test_the_page_draws_offline_with_vis_inlined(mini_kb):
    page = network_html(workup_graph(mini_kb, workup_case(mini_kb, CASE), top=3))
    assert "new vis.Network" in page and len(page) > 300_000  # the vis-network library itself is inside
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)\s*=", page, re.I)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "bootstrap" not in page


def test_a_content_security_policy_allows_only_the_pages_own_scripts(mini_kb):
    page = network_html(workup_graph(mini_kb, workup_case(mini_kb, CASE), top=2))
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert (
        "default-src 'none'" in policy
        and "connect-src 'none'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    for body in scripts(page):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_hostile_labels_stay_data_and_never_become_markup(hostile_kb):
    workup = workup_case(hostile_kb, CASE)
    for H in (
        workup_graph(hostile_kb, workup, top=4, depth=3),
        node_neighbourhood(hostile_kb, expand("drug:clozapine"), depth=2),
    ):
        page = network_html(H)
        # pyvis's utils, vis-network, the drawing code and our click handler: nothing injected
        assert len(scripts(page)) == 4 and scripts(page)[-1] in _CLICK_SCRIPT
        for payload in PAYLOADS:
            assert "<" not in payload or payload not in page  # markup payloads never appear as markup
        assert "popup.innerHTML" not in page  # pyvis's HTML tooltip mode stayed off despite "href" in labels
        assert "<center>" not in page and "<h1>" not in page
        drawing = scripts(page)[-2]
        assert SENTINEL in drawing and "\\u003cscript\\u003e" in drawing  # labels travel JSON-escaped


def test_pyvis_html_tooltips_are_refused_if_they_ever_switch_on(monkeypatch, mini_kb):
    import graph.present.render as render

    monkeypatch.setattr(render, "tooltip_text", lambda text: str(text) + " href")
    with pytest.raises(RenderError, match="HTML tooltip"):
        network_html(workup_graph(mini_kb, workup_case(mini_kb, CASE), top=1))


def test_nodes_are_styled_by_kind_and_edges_by_evidence(mini_kb):
    H = workup_graph(mini_kb, workup_case(mini_kb, CASE), top=3)
    names = [item.label for item in legend(H)]
    assert {"Cause", "Drug", "Finding (present)", "Finding (absent)", "Mechanism", "Evidence against"} <= set(names)
    assert node_style("Cause").shape != node_style("Drug").shape != node_style("Finding").shape
    page = network_html(H)
    assert '"dashes": true' in page and '"dashes": false' in page
    widths = {float(w) for w in re.findall(r'"width": ([0-9.]+)', page)}
    assert len(widths) > 2  # edge width follows the weight of the evidence


def test_layered_layout_and_bad_options():
    G = nx.DiGraph([("a", "b")])
    page = network_html(G, layout="layered")
    assert '"physics": false' in page and '"x": 560.0' in page  # fixed positions from graph.present.layout
    with pytest.raises(RenderError, match="layout must be one of"):
        network_html(G, layout="circle")
    with pytest.raises(RenderError, match="height"):
        network_html(G, height=10)
