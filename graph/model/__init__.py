"""Frozen data classes, ids and plain-text helpers. May import: the standard library only."""
