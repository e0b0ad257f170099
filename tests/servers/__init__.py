"""Real servers the tests start for themselves (never one they find running), on loopback, stopped after."""
