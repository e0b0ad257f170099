"""Ephemeral database servers the tests start themselves (never one they find running)."""
