"""Built-in Codex exec modes."""
