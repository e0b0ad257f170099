"""Storage backends: one contract suite for all, plus backend-specific tests."""
