"""Neutropenia knowledge graph: load the ontology, normalise a case, rank and explain its causes.

The whole flow is :func:`graph.pipeline.workup_case`; :func:`graph.knowledge.load_knowledge_base`
loads (and caches) the ontology.  The package supports clinicians; it gives no advice to patients.

Examples
--------
>>> from graph import load_knowledge_base, workup_case
>>> kb = load_knowledge_base()
>>> workup = workup_case(kb, {"id": "x", "anc": 400, "findings": ["Fever"]})
>>> workup.alerts[0].level
'emergency'
"""

from .knowledge import KnowledgeBase, load_knowledge_base
from .pipeline import workup_case
from .version import __version__

__all__ = ["KnowledgeBase", "load_knowledge_base", "workup_case", "__version__"]
