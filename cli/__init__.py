"""The `mobile-codex` command: the composition root, the only code that wires relay and agent."""
