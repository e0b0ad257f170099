"""plugins/volatile: backends of the shared volatile store (core/volatile_store.py)."""
