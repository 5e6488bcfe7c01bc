"""A workup as a PDF report, drawn with fpdf2 from the blocks of :func:`graph.present.reportdoc.report_blocks`.

fpdf2 is optional (the ``app`` extra): :data:`PDF_AVAILABLE` says whether it is installed, and
:func:`workup_to_pdf` raises :class:`~graph.model.errors.UsageError` naming the package when it is not.
Text is written as text (a PDF has no markup to inject); the core fonts cover Latin-1, so a few
typographic characters are spelt in ASCII and any other character outside Latin-1 becomes "?".
The output is deterministic: the creation date is the report's date.

Examples
--------
>>> from datetime import date
>>> from graph.kb.knowledge import load_knowledge_base
>>> from graph.workup.pipeline import workup_case
>>> kb = load_knowledge_base()
>>> pdf = workup_to_pdf(kb, workup_case(kb, {"id": "x", "anc": 300}), top=1, generated=date(2026, 1, 2))
>>> pdf[:5]
b'%PDF-'
>>> latin1("ANC 0.4 ×10⁹/L — ≥ 38 °C → high")
'ANC 0.4 ×10^9/L - >= 38 °C -> high'
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from ..kb.knowledge import KnowledgeBase
from ..model.errors import UsageError
from ..model.links import Link
from ..model.results import Workup
from ..workup.whatif import WhatIf
from .reportdoc import Banner, Block, Bullets, Heading, Paragraph, Run, Table, report_blocks, report_title

try:  # optional: the app offers the PDF only when fpdf2 is installed
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    PDF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the environment
    PDF_AVAILABLE = False

__all__ = ["PDF_AVAILABLE", "workup_to_pdf", "latin1"]

_ASCII = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "→": "->",
        "≥": ">=",
        "≤": "<=",
        "⁹": "^9",
        "³": "^3",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "\u200b": "",
    }
)
#: fill colour (RGB) of each banner level
_BANNER = {
    "emergency": (176, 0, 32),
    "warning": (255, 243, 205),
    "information": (231, 241, 255),
    "hypothetical": (255, 248, 230),
}


def latin1(text: str) -> str:
    """``text`` in the characters the PDF core fonts have (Latin-1), typographic ones spelt in ASCII."""
    return text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


def _runs(pdf: FPDF, runs: tuple[Run, ...], height: float) -> None:
    for run in runs:
        if isinstance(run, Link):
            if run.url:
                pdf.set_text_color(0, 70, 160)
                pdf.write(height, latin1(run.text), link=run.url)
                pdf.set_text_color(0, 0, 0)
            else:
                pdf.write(height, latin1(run.text))
        else:
            pdf.write(height, latin1(run))
    pdf.ln(height)


def _block(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        pdf.set_font("Helvetica", "B", {1: 16, 2: 13}.get(block.level, 11))
        pdf.ln(2)
        pdf.multi_cell(0, 7, latin1(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Helvetica", "", 10)
    elif isinstance(block, Paragraph):
        style = {"strong": "B", "quote": "I", "note": "I"}.get(block.style, "")
        pdf.set_font("Helvetica", style, 8.5 if block.style == "note" else 10)
        _runs(pdf, block.runs, 5)
        pdf.set_font("Helvetica", "", 10)
        pdf.ln(1)
    elif isinstance(block, Bullets):
        for item in block.items:
            pdf.write(5, "- ")
            _runs(pdf, item, 5)
        pdf.ln(1)
    elif isinstance(block, Table):
        pdf.set_font("Helvetica", "", 8)
        align = tuple("RIGHT" if i in block.right else "LEFT" for i in range(len(block.header)))
        with pdf.table(text_align=align, line_height=4.5) as table:
            for cells in (block.header, *block.rows):
                row = table.row()
                for cell in cells:
                    row.cell(latin1(cell))
        pdf.set_font("Helvetica", "", 10)
        pdf.ln(2)
    elif isinstance(block, Banner):
        pdf.set_fill_color(*_BANNER.get(block.level, _BANNER["information"]))
        pdf.set_text_color(*((255, 255, 255) if block.level == "emergency" else (0, 0, 0)))
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            0, 5.5, latin1(f"{block.title}: {block.text}"), fill=True, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Helvetica", "", 10)
        pdf.ln(2)


def workup_to_pdf(
    kb: KnowledgeBase, workup: Workup, top: int = 5, *, generated: date | None = None, what_if: WhatIf | None = None
) -> bytes:
    """The report as a PDF file (bytes); the same content as :func:`graph.present.export.workup_to_markdown`."""
    if not PDF_AVAILABLE:
        raise UsageError("the PDF report needs the fpdf2 package: pip install 'neutropenia-kg[app]'")
    generated = generated or date.today()
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(report_title(workup, what_if)))
    pdf.set_creator("neutropenia-kg")
    pdf.set_creation_date(datetime(generated.year, generated.month, generated.day, tzinfo=timezone.utc))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    for block in report_blocks(kb, workup, top, generated=generated, what_if=what_if):
        _block(pdf, block)
    return bytes(pdf.output())
