"""The shared volatile store: one contract for every backend, and what only Redis must refuse."""
