"""Falcon resources, one module per area: they translate HTTP to service calls."""
