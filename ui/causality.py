"""Drug causality in the workup: what the case answers, and the questions it leaves for the clinician."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from graph.kb.knowledge import KnowledgeBase
from graph.model.ids import curie
from graph.model.results import DrugCausality, Workup
from graph.workup.causality import assess_drug
from graph.workup.phrases import (
    ANSWER_TEXT,
    CAUSALITY_NOTE,
    CAUSALITY_TITLE,
    causality_category_text,
    causality_line,
    causality_reason_text,
    causality_why_text,
    points_text,
)
from ui.show import md

__all__ = ["show_causality"]

#: the choices offered for a question the case leaves open ("unanswered" first: nothing is assumed)
_CHOICES = ("unanswered", "yes", "no", "unknown")


def _key(rev: int, drug: str, question: str) -> str:
    return f"causality-{rev}-{curie(drug)}-{question}"


def _answers(rev: int, assessment: DrugCausality) -> dict[str, str]:
    """The answers already chosen in this session for the questions the case leaves open."""
    chosen = {}
    for item in assessment.items:
        value = st.session_state.get(_key(rev, assessment.drug, item.question))
        if item.origin != "case" and value in _CHOICES:
            chosen[item.question] = value
    return chosen


def show_causality(kb: KnowledgeBase, workup: Workup, rev: int) -> Workup:
    """Draw each drug's assessment with a choice for every open question; returns the workup whose
    ``causality`` holds the answers given (for the exports)."""
    if not workup.causality:
        return workup
    st.markdown(f"**{md(CAUSALITY_TITLE)}**")
    st.caption(md(CAUSALITY_NOTE))
    questions = {q.code: q.question for q in kb.causality.questions}
    answered = []
    for base in workup.causality:
        assessment = assess_drug(kb, workup, base.drug, _answers(rev, base)) or base
        answered.append(assessment)
        with st.expander(md(causality_line(kb, assessment))):
            st.markdown(md(causality_category_text(kb, assessment)))
            for item in assessment.items:
                text = md(questions.get(item.question, item.question))
                if item.origin == "case":
                    st.markdown(
                        f"- {text} **{md(ANSWER_TEXT[item.answer])}** ({points_text(item.points)}) — "
                        f"{causality_why_text(item, md)}"
                    )
                    continue
                st.radio(
                    text,
                    _CHOICES,
                    format_func=lambda choice: ANSWER_TEXT[choice],
                    key=_key(rev, assessment.drug, item.question),
                    horizontal=True,
                    help=md(causality_reason_text(item)),
                )
    return replace(workup, causality=tuple(answered))
