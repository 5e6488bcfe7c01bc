"""Curator tools: validation, SHACL, SPARQL, HPO import, edits, evaluation. May import: all but cli."""
