"""Resolve, normalise, score, next tests, alerts, subgraph, the pipeline. May import: model, kb, caseio."""
