"""What a user reads: reports, exports, graph views, node pages. May import: model, kb, caseio, workup."""
