"""Read and write cases: JSON, form, phenopacket, deep link, examples. May import: graph.model, graph.kb."""
