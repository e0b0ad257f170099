"""Built-in action plugins."""
