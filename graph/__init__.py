"""Neutropenia knowledge graph: load the ontology, normalise a case, rank and explain its causes.

The whole flow is :func:`graph.workup.pipeline.workup_case`; :func:`graph.kb.knowledge.load_knowledge_base`
loads (and caches) the ontology.  The package supports clinicians; it gives no advice to patients.

Examples
--------
>>> from graph import load_knowledge_base, workup_case
>>> kb = load_knowledge_base()
>>> workup = workup_case(kb, {"id": "x", "anc": 400, "findings": ["Fever"]})
>>> workup.alerts[0].level
'emergency'
"""

from .kb.knowledge import KnowledgeBase, load_knowledge_base
from .model.version import __version__
from .workup.pipeline import workup_case

__all__ = ["KnowledgeBase", "load_knowledge_base", "workup_case", "__version__"]
