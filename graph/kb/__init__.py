"""Read the Turtle, compile it to the frozen knowledge base and cache it. May import: graph.model."""
