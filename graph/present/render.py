"""Draw a small networkx graph as a self-contained, offline, script-safe pyvis HTML page.

The only module that imports pyvis.  The page inlines vis-network (``cdn_resources="in_line"``) and
nothing else: pyvis's unconditional Bootstrap CDN tags are removed, and the result is checked for
any remaining external reference.  Text from the ontology reaches the page only as JSON data
(labels drawn on a canvas, tooltips shown as plain text), never as markup; a Content-Security-
Policy that allows exactly the page's own inline scripts (by hash) and no network access is
added as a second line of defence, because the graph's iframe can reach the Streamlit page.

Styling is by node ``kind`` (colour and shape, with a legend), edge ``weight`` (width) and edge
``direction`` (dashed when the evidence is against).

Examples
--------
>>> import networkx as nx
>>> H = nx.DiGraph()
>>> H.add_node("c", kind="Cause", label="Sepsis <b>", rank=1)
>>> H.add_node("f", kind="Finding", label="Fever", observed=True)
>>> H.add_edge("f", "c", weight=1.2, direction="for", sources=("PMID:1",), label="Fever present")
>>> page = network_html(H)
>>> page.startswith("<!DOCTYPE html>") and "cdn.jsdelivr" not in page and "Sepsis <b>" not in page
True
>>> [item.label for item in legend(H)]
['Finding (present)', 'Cause', 'Evidence for / link']
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Literal

import networkx as nx

from ..model.errors import NeutropeniaKGError
from ..model.escape import html_text, one_line, tooltip_text
from ..workup.differential import score_text
from .layout import COLUMN_GAP, layered_positions

__all__ = ["NodeStyle", "LegendItem", "RenderError", "NODE_STYLES", "Layout", "node_style", "legend", "network_html"]

Layout = Literal["force", "layered"]
_LAYOUTS = ("force", "layered")


class RenderError(NeutropeniaKGError):
    """The graph page could not be made safe (an external reference or an unexpected script remained)."""


@dataclass(frozen=True)
class NodeStyle:
    """How one kind of node is drawn: fill colour, vis-network shape, legend symbol and name, layer."""

    color: str
    shape: str
    symbol: str
    name: str
    level: int


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
NODE_STYLES: Mapping[str, NodeStyle] = {
    "Finding": NodeStyle("#E69F00", "dot", "●", "Finding (present)", 0),
    "Condition": NodeStyle("#F0E442", "ellipse", "◉", "Condition", 0),
    "Exposure": NodeStyle("#F0E442", "ellipse", "◉", "Exposure", 0),
    "Drug": NodeStyle("#0072B2", "triangle", "▲", "Drug", 0),
    "Organism": NodeStyle("#009E73", "triangleDown", "▼", "Organism", 0),
    "Gene": NodeStyle("#56B4E9", "hexagon", "◈", "Gene", 0),
    "AncestryGroup": NodeStyle("#F0E442", "ellipse", "◉", "Ancestry group", 0),
    "FindingAssociation": NodeStyle("#BBBBBB", "dot", "•", "Association", 1),
    "AgentAssociation": NodeStyle("#BBBBBB", "dot", "•", "Association", 1),
    "ContextAssociation": NodeStyle("#BBBBBB", "dot", "•", "Association", 1),
    "PriorModifier": NodeStyle("#BBBBBB", "dot", "•", "Prior modifier", 1),
    "TimingWindow": NodeStyle("#BBBBBB", "square", "▪", "Timing window", 1),
    "Cause": NodeStyle("#D55E00", "box", "■", "Cause", 2),
    "Mechanism": NodeStyle("#CC79A7", "diamond", "◆", "Mechanism", 3),
    "Category": NodeStyle("#E8B5D3", "diamond", "◆", "Category", 3),
    "DiagnosticTest": NodeStyle("#666666", "square", "■", "Test", 3),
    "Treatment": NodeStyle("#009E73", "star", "★", "Treatment", 3),
}
_OTHER = NodeStyle("#DDDDDD", "dot", "●", "Other", 1)
_ABSENT = NodeStyle("#FFFFFF", "dot", "○", "Finding (absent)", 0)
_EDGE_FOR = "#555555"
_EDGE_AGAINST = "#D55E00"
_LABEL_MAX = 42
_LAYERED_LABEL_MAX = 30  # a column is 280 px wide; the full label is in the tooltip


@dataclass(frozen=True)
class LegendItem:
    """One line of the legend: a coloured symbol and what it stands for."""

    symbol: str
    color: str
    label: str


def node_style(kind: str, observed: object = True) -> NodeStyle:
    """The style of a node of ``kind``; a finding that is absent (``observed`` not true) is hollow.

    Examples
    --------
    >>> node_style("Drug").shape, node_style("Finding", observed=None).name
    ('triangle', 'Finding (absent)')
    """
    if kind == "Finding" and observed is not True:
        return _ABSENT
    return NODE_STYLES.get(kind, _OTHER)


def legend(H: nx.DiGraph) -> list[LegendItem]:
    """The legend entries for the kinds of node and edge that ``H`` contains, in drawing order."""
    styles: dict[str, NodeStyle] = {}
    for _, data in H.nodes(data=True):
        style = node_style(str(data.get("kind", "")), data.get("observed", True))
        styles.setdefault(style.name, style)
    items = [LegendItem(s.symbol, s.color, s.name) for s in sorted(styles.values(), key=lambda s: (s.level, s.name))]
    directions = {data.get("direction") for _, _, data in H.edges(data=True)}
    if directions - {"against"}:
        items.append(LegendItem("━", _EDGE_FOR, "Evidence for / link"))
    if "against" in directions:
        items.append(LegendItem("╍", _EDGE_AGAINST, "Evidence against"))
    return items


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_tooltip(data: Mapping[str, Any]) -> str:
    kind = str(data.get("kind", ""))
    lines = [f"{one_line(data.get('label', ''))}", f"{kind} · {one_line(data.get('curie', ''))}".strip(" ·")]
    if data.get("rank") is not None:
        score = f" · {score_text(float(data['score']))}" if data.get("score") is not None else ""
        lines.append(f"rank {data['rank']}{score}")
    if kind == "Finding" and data.get("observed") is not True and "observed" in data:
        lines.append("reported absent")
    if data.get("page"):
        lines.append("click to open its page")
    return tooltip_text("\n".join(line for line in lines if line))


def _edge_tooltip(data: Mapping[str, Any]) -> str:
    lines = [one_line(data.get("label") or data.get("kind") or "")]
    direction = data.get("direction")
    if data.get("kind") not in ("mechanism", "implicated") and direction in ("for", "against"):
        lines.append(f"evidence {direction} · |log LR| {float(data.get('weight', 0.0)):.2f}")
    sources = [one_line(s) for s in data.get("sources", ()) if str(s).strip()]
    if sources:
        lines.append("sources: " + "; ".join(sources))
    return tooltip_text("\n".join(line for line in lines if line))


def _options(layout: Layout) -> dict[str, Any]:
    options: dict[str, Any] = {
        "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "smooth": {"type": "continuous"},
            "color": {"inherit": False},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": False},
        "layout": {"randomSeed": 7, "improvedLayout": True},
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -70, "springLength": 110, "avoidOverlap": 0.4},
            "stabilization": {"iterations": 250, "fit": True},
        },
    }
    if layout == "layered":  # positions come from graph.present.layout; nothing moves
        options["layout"] = {"randomSeed": 7, "improvedLayout": False}
        options["physics"] = {"enabled": False}
        options["edges"]["smooth"] = False
    return options


class _TagAudit(HTMLParser):
    """Collects what the page would load or run: tags with a URL, event handlers, script tags."""

    FORBIDDEN = {"link", "img", "iframe", "object", "embed", "base", "form", "frame", "audio", "video", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.FORBIDDEN:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            self.scripts += 1
        for name, _ in attrs:
            if name in ("src", "href", "srcset", "action", "formaction", "data", "poster") or name.startswith("on"):
                self.problems.append(f"{name}= attribute on <{tag}>")


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.I)
_SCRIPT_WITH_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=[^>]*>\s*</script>", re.I)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.I)
_INLINE_SCRIPT = re.compile(r"<script(?:\s+type=\"text/javascript\")?>(.*?)</script>", re.S)
_EXPECTED_SCRIPTS = 4  # pyvis's utils.js, vis-network, the drawing code, and ours (_CLICK_SCRIPT)
#: Our own script (a constant).  A click on a node with a ``page`` opens that node's page; so does Enter on
#: the node that has the keyboard focus: Tab reaches the graph (a focus ring shows it), the arrow keys
#: step through the nodes that have a page (the node is selected, brought into view and named below the
#: graph), Enter opens it.  The page is an app-relative query string made by
#: :func:`graph.caseio.deeplink.node_page_url`; anything else is ignored.  It opens in place: Streamlit's
#: frame sandbox does not allow this frame to navigate the app's window, but the frame shares the app's
#: origin, so a link is made in the app's own document and followed there (a new tab only if that
#: document cannot be reached).  The case lives in the address, so Back returns to it.  With the
#: layered layout, a graph too big to read when fitted is shown at a legible zoom, starting at the causes.
_CLICK_SCRIPT = """<script type="text/javascript">
function openPage(node) {
  if (!node || typeof node.page !== "string" || node.page.charAt(0) !== "?") { return; }
  try {
    var app = window.parent.document;
    var link = app.createElement("a");
    link.setAttribute("href", node.page);
    link.setAttribute("target", "_self");
    app.body.appendChild(link);
    link.click();
    link.remove();
  } catch (error) {
    window.open(node.page, "_blank", "noopener");
  }
}
network.on("click", function (params) {
  if (params.nodes.length === 1) { openPage(nodes.get(params.nodes[0])); }
});
network.on("hoverNode", function (params) {
  var node = nodes.get(params.node);
  document.getElementById("mynetwork").style.cursor = node && node.page ? "pointer" : "default";
});
network.on("blurNode", function () { document.getElementById("mynetwork").style.cursor = "default"; });
var canvas = document.getElementById("mynetwork");
var stops = nodes.get().filter(function (n) { return typeof n.page === "string"; });
var focusLine = document.createElement("div");
focusLine.setAttribute("aria-live", "polite");
focusLine.setAttribute("id", "graph-focus");
focusLine.style.cssText = "font:13px sans-serif;min-height:18px;padding:2px 4px";
canvas.parentNode.insertBefore(focusLine, canvas.nextSibling);
var stop = canvas.querySelector("[tabindex]") || canvas;  // vis-network's own focusable frame
stop.setAttribute("tabindex", "0");
stop.setAttribute("role", "application");
stop.setAttribute("aria-label", "Graph: arrow keys move between nodes, Enter opens the node's page");
var style = document.createElement("style");
style.textContent = "[role=application]:focus-visible{outline:3px solid #0072B2;outline-offset:-3px}";
document.head.appendChild(style);
var at = -1;
function focusNode(step) {
  if (stops.length === 0) { return; }
  at = at < 0 ? 0 : (at + step + stops.length) % stops.length;
  var node = stops[at];
  network.selectNodes([node.id]);
  network.focus(node.id, {scale: Math.max(network.getScale(), 0.75), animation: false});
  var name = String(node.title || node.label || "").split("\\n")[0];
  focusLine.textContent = "Focused: " + name + " (" + (at + 1) + " of " + stops.length + "), Enter opens its page";
}
stop.addEventListener("focus", function () {
  var byKeyboard = true;
  try { byKeyboard = stop.matches(":focus-visible"); } catch (error) { byKeyboard = true; }
  if (at < 0 && byKeyboard) { focusNode(0); }
});
stop.addEventListener("keydown", function (event) {
  var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
  if (step) { focusNode(step); event.preventDefault(); }
  else if (event.key === "Enter" && at >= 0) { openPage(stops[at]); event.preventDefault(); }
});
var first = nodes.get().filter(function (n) { return n.layered && n.first; });
if (first.length === 1 && network.getScale() < 0.75) {
  network.moveTo({position: {x: MIDDLE, y: first[0].y + 150}, scale: 0.75});
}
</script>""".replace("MIDDLE", f"{2 * COLUMN_GAP:g}")


def _harden(page: str, legend_html: str) -> str:
    """Remove pyvis's external tags, check what is left, add the CSP and the legend."""
    if "popup.innerHTML" in page or "TomSelect" in page:
        raise RenderError("pyvis switched to its HTML tooltip or select menu; refusing to render unsafe HTML")
    page = _COMMENT.sub("", page)
    if page.count("</body>") != 1:
        raise RenderError("the pyvis page has an unexpected structure; update graph/present/render.py for this pyvis")
    page = page.replace("</body>", _CLICK_SCRIPT + "</body>", 1)
    page = _LINK_TAG.sub("", page)
    page = _SCRIPT_WITH_SRC.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    audit = _TagAudit()
    audit.feed(page)
    audit.close()
    if audit.problems or audit.scripts != _EXPECTED_SCRIPTS:
        found = ", ".join(audit.problems) or f"{audit.scripts} scripts"
        raise RenderError(
            f"the graph page is not self-contained ({found}); update graph/present/render.py for this pyvis"
        )
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode("ascii") + "'"
        for m in _INLINE_SCRIPT.finditer(page)
    )
    csp = (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )
    head = f'<meta http-equiv="Content-Security-Policy" content="{csp}"><meta name="referrer" content="no-referrer">'
    if page.count("<head>") != 1 or page.count("<body>") != 1:
        raise RenderError("the pyvis page has an unexpected structure; update graph/present/render.py for this pyvis")
    page = page.replace("<head>", "<head>" + head, 1).replace("<body>", "<body>" + legend_html, 1)
    return "<!DOCTYPE html>\n" + page.strip()


def _legend_html(items: list[LegendItem]) -> str:
    spans = "".join(
        f'<span style="margin-right:14px;white-space:nowrap"><span style="color:{html_text(i.color)};'
        f'font-size:16px;text-shadow:0 0 1px #333">{html_text(i.symbol)}</span> {html_text(i.label)}</span>'
        for i in items
    )
    return (
        f'<div id="legend" style="font:13px sans-serif;padding:4px 2px;color:#222">{spans}</div>'
        "<style>body{margin:0}#mynetwork{border:1px solid #ddd!important;float:none!important;"
        "box-sizing:border-box}</style>"
    )


def _check_request(height: int, layout: Layout) -> None:
    if layout not in _LAYOUTS:
        raise RenderError(f"layout must be one of {', '.join(_LAYOUTS)}, got {layout!r}")
    if not 100 <= int(height) <= 4000:
        raise RenderError(f"height must be between 100 and 4000 pixels, got {height!r}")


def _vis_label(node: Any, data: dict[str, Any], layered: bool, level: int) -> str:
    """The text drawn on a node: short; blank for an association; a cause's rank in front of its name."""
    if level == 1:
        return " "  # associations are told by their tooltip; a label on each would bury the graph
    label = _short(str(data.get("label") or data.get("curie") or node), _LAYERED_LABEL_MAX if layered else _LABEL_MAX)
    if data.get("kind") == "Cause" and data.get("rank") is not None:
        return f"#{int(data['rank'])} {label}"
    return label


def _vis_node(node: Any, data: dict[str, Any], positions: dict[Any, tuple[float, float]]) -> dict[str, Any]:
    """The vis-network attributes of one node (its place when the layout is layered, its page link)."""
    kind = str(data.get("kind", ""))
    style = node_style(kind, data.get("observed", True))
    extra: dict[str, Any] = {}
    if positions:
        x, y = positions[node]
        extra = {"x": x, "y": y, "physics": False, "layered": True, "first": kind == "Cause" and data.get("rank") == 1}
    if isinstance(data.get("page"), str) and data["page"].startswith("?"):
        extra["page"] = data["page"]
    return {
        "label": _vis_label(node, data, bool(positions), style.level),
        "title": _node_tooltip(data),
        "shape": style.shape,
        "level": style.level,
        "color": {"background": style.color, "border": "#E69F00" if style is _ABSENT else "#333333"},
        "size": 14 if kind == "Cause" else 6 if style.level == 1 else 10,
        "borderWidth": 2 if style is _ABSENT else 1,
        **extra,
    }


def _vis_edge(data: dict[str, Any]) -> dict[str, Any]:
    against = data.get("direction") == "against"
    weight = float(data.get("weight", 1.0) or 0.0)
    return {
        "title": _edge_tooltip(data),
        "dashes": against,
        "width": round(1.0 + min(abs(weight), 5.0) * 1.2, 2),
        "color": _EDGE_AGAINST if against else _EDGE_FOR,
    }


def network_html(H: nx.DiGraph, height: int = 560, layout: Layout = "force") -> str:
    """A complete HTML page drawing ``H`` (see module docstring), as a string; no file is written.

    Node attributes read: ``kind``, ``label``, ``curie``, ``rank``, ``score``, ``observed``.
    Edge attributes read: ``weight``, ``direction``, ``sources``, ``kind``, ``label``.

    Raises
    ------
    RenderError
        When the page pyvis produced still refers to anything outside itself.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b")])
    >>> "vis.Network" in network_html(G, height=300, layout="layered")
    True
    """
    _check_request(height, layout)
    from pyvis.network import Network  # imported here so graph/ stays importable without the app extra

    net = Network(
        height=f"{int(height)}px",
        width="100%",
        directed=True,
        cdn_resources="in_line",
        select_menu=False,
        filter_menu=False,
        neighborhood_highlight=False,
        heading="",
    )
    index = {node: number for number, node in enumerate(H.nodes)}
    positions = layered_positions(H) if layout == "layered" else {}
    for node, data in H.nodes(data=True):
        net.add_node(index[node], **_vis_node(node, data, positions))
    for source, target, data in H.edges(data=True):
        net.add_edge(index[source], index[target], **_vis_edge(data))
    net.options = _options(layout)
    return _harden(net.generate_html(notebook=False), _legend_html(legend(H)))
