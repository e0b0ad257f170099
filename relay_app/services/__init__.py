"""The relay's rules, free of HTTP and of any storage backend."""
