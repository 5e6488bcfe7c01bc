r"""A workup as a printable report: Markdown, or a self-contained HTML page.

Both draw the blocks of :func:`graph.present.reportdoc.report_blocks` (date, ontology version, the case as
entered, alerts, differential, and why for the leading causes; a what-if marked hypothetical).
Every text from the case or the ontology is escaped (:mod:`graph.model.escape`); links are made only
for recognised identifiers (:mod:`graph.model.links`).  The Markdown escapes only what could be markup,
so the file reads cleanly as text.  The HTML page has no script and a Content-Security-Policy
that lets it load nothing, so it is safe to open and print anywhere.

Examples
--------
>>> from datetime import date
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> w = workup_case(kb, {"id": "x<1>", "anc": 300, "findings": ["Fever"]})
>>> md = workup_to_markdown(kb, w, top=2, generated=date(2026, 1, 2))
>>> print("\n".join(md.splitlines()[:3]))  # doctest: +ELLIPSIS
# Neutropenia workup: case x\<1\>
<BLANKLINE>
_Generated 2026-01-02 · ontology version ...
>>> page = workup_to_html(kb, w, top=2)
>>> "<script" in page, "x&lt;1&gt;" in page
(False, True)
"""

from __future__ import annotations

from datetime import date

from ..kb.knowledge import KnowledgeBase
from ..model.escape import html_text, markdown_file_text
from ..model.links import Link
from ..model.results import Workup
from ..workup.whatif import WhatIf
from .reportdoc import DISCLAIMER, Block, Bullets, Heading, Paragraph, Run, Table, report_blocks, report_title

__all__ = ["workup_to_markdown", "workup_to_html", "DISCLAIMER"]


def _edges(text: str) -> tuple[str, str]:
    """A space before and after ``text`` when it has white space there (escaping folds it away)."""
    return (" " if text[:1].isspace() else "", " " if text[-1:].isspace() else "")


def _md_run(run: Run) -> str:
    if isinstance(run, Link):
        return f"[{markdown_file_text(run.text)}]({run.url})" if run.url else markdown_file_text(run.text)
    before, after = _edges(run)
    return before + markdown_file_text(run) + after


def _md_runs(runs: tuple[Run, ...]) -> str:
    return "".join(_md_run(r) for r in runs).strip()


def _md_cell(text: str) -> str:
    return markdown_file_text(text) or " "


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + markdown_file_text(block.text)]
    if isinstance(block, Paragraph):
        text = _md_runs(block.runs)
        return [{"strong": f"**{text}**", "quote": f"> {text}", "note": f"_{text}_"}.get(block.style, text)]
    if isinstance(block, Bullets):
        return [f"- {_md_runs(item)}" for item in block.items]
    if isinstance(block, Table):
        align = ["---:" if i in block.right else "---" for i in range(len(block.header))]
        lines = ["| " + " | ".join(_md_cell(h) for h in block.header) + " |", "|" + "|".join(align) + "|"]
        return lines + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
    return [f"> **{markdown_file_text(block.title)}**: {markdown_file_text(block.text)}"]


def workup_to_markdown(
    kb: KnowledgeBase, workup: Workup, top: int = 5, *, generated: date | None = None, what_if: WhatIf | None = None
) -> str:
    """The report as Markdown (CommonMark with GitHub tables); see :func:`graph.present.reportdoc.report_blocks`."""
    lines: list[str] = []
    for block in report_blocks(kb, workup, top, generated=generated, what_if=what_if):
        if isinstance(block, Paragraph) and block.runs == (DISCLAIMER,):
            lines += ["---", ""]
        lines += _md_block(block) + [""]
    return "\n".join(lines)


def _html_runs(runs: tuple[Run, ...]) -> str:
    return "".join(
        (
            f'<a href="{html_text(r.url)}" rel="noopener noreferrer">{html_text(r.text)}</a>'
            if r.url
            else html_text(r.text)
        )
        if isinstance(r, Link)
        else html_text(r)
        for r in runs
    )


_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #ccc}h3{font-size:1rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
.num{text-align:right}.emergency{background:#b00020;color:#fff;padding:8px;font-weight:bold}
.warning{background:#fff3cd;padding:6px}.information{background:#e7f1ff;padding:6px}
.hypothetical{border:3px dashed #7a4b00;background:#fff8e6;padding:8px}.note{color:#555;font-size:.9em}
@media print{a{color:inherit}h2{page-break-after:avoid}}
"""
_LEVELS = ("emergency", "warning", "information", "hypothetical")


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{html_text(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        text = _html_runs(block.runs)
        if block.style == "strong":
            return f"<p><strong>{text}</strong></p>"
        if block.style == "quote":
            return f"<blockquote>{text}</blockquote>"
        return f'<p class="note">{text}</p>' if block.style == "note" else f"<p>{text}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_html_runs(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html_text(h)}</th>" for h in block.header)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td class="num">{html_text(c)}</td>' if i in block.right else f"<td>{html_text(c)}</td>"
                for i, c in enumerate(row)
            )
            + "</tr>"
            for row in block.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"
    level = block.level if block.level in _LEVELS else "information"
    return f'<p class="{level}">{html_text(block.title)}: {html_text(block.text)}</p>'


def workup_to_html(
    kb: KnowledgeBase, workup: Workup, top: int = 5, *, generated: date | None = None, what_if: WhatIf | None = None
) -> str:
    """The report as one HTML page (no script, nothing to load) to open in a browser and print."""
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{html_text(report_title(workup, what_if))}</title><style>{_STYLE}</style></head><body>",
    ]
    for block in report_blocks(kb, workup, top, generated=generated, what_if=what_if):
        if isinstance(block, Paragraph) and block.runs == (DISCLAIMER,):
            parts.append("<hr>")
        parts.append(_html_block(block))
    parts.append("</body></html>")
    return "\n".join(parts)
