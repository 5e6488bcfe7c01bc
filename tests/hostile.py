"""A hostile copy of the mini ontology: labels, synonyms, definitions and sources carry script payloads.

Each payload would, if the app ever interpreted text as HTML or Markdown, run a script that sets
``window.__pwned``, open a dialog, or fetch from 198.51.100.7 (an address reserved for
documentation, so nothing is ever contacted).  Used by the render, app and browser tests.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

#: One payload per trick: raw script, event handler, Markdown image (a fetch), javascript: link,
#: breaking out of a <script> block, the substring that switches pyvis to HTML tooltips, an iframe,
#: Streamlit's colour directive and LaTeX.
PAYLOADS = (
    "<script>window.__pwned='script'</script>",
    "<a href=\"javascript:alert('href')\">href</a>",
    "<img src=x onerror=\"window.__pwned='img';alert('img')\">",
    "![pixel](http://198.51.100.7/pixel.png)",
    "</script><script>window.__pwned='breakout';alert('breakout')</script>",
    "[click me](javascript:alert('link'))",
    '<iframe src="http://198.51.100.7/frame"></iframe>',
    ":red[red] $x^2$ <svg onload=\"window.__pwned='svg'\">",
)
SENTINEL = "__pwned"


def _ttl(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_hostile_ontology(mini_dir: Path, target: Path) -> Path:
    """Copy ``mini_dir`` to ``target`` with payloads in the mini causes' text; returns the root file."""
    shutil.copytree(mini_dir, target, dirs_exist_ok=True)
    causes = target / "mini-causes.ttl"
    text = causes.read_text(encoding="utf-8")
    counters: dict[str, int] = {}

    def poison(match: re.Match[str]) -> str:
        number = counters[match.group(1)] = counters.get(match.group(1), -1) + 1
        poisoned = f"{match.group(1)}{_ttl(match.group(2) + ' ' + PAYLOADS[number % len(PAYLOADS)])}"
        if match.group(1) == "rdfs:label ":  # keep the plain name as a synonym, so cases still resolve
            poisoned += f" ; skos:altLabel {_ttl(match.group(2))}"
        return poisoned

    text = re.sub(r'(rdfs:label |skos:altLabel |skos:definition |nkg:managementNote )"([^"]*)"', poison, text)
    text = text.replace('dcterms:source "test"', 'dcterms:source "test", ' + _ttl("PMID:1" + PAYLOADS[1]))
    causes.write_text(text, encoding="utf-8")
    root = target / "neutropenia.ttl"
    head = root.read_text(encoding="utf-8")
    head = head.replace('owl:versionInfo "test"', f"owl:versionInfo {_ttl('test ' + PAYLOADS[2])}")
    head = head.replace('rdfs:label "Mini test ontology"', f"rdfs:label {_ttl('Mini test ontology ' + PAYLOADS[3])}")
    root.write_text(head, encoding="utf-8")
    return root
