"""Built-in log-source plugins."""
