"""Driving `codex app-server` (JSON-RPC on stdio): one process per active thread, one job per module.

`process` starts and stops the server (own process group, pid file for leftovers), `rpc` speaks
JSON-RPC over its pipes, `handshake` says hello, `turn` runs one turn, `requests` and `items`
turn Codex's messages into API.md's shapes, `support` says whether this Codex is one we can drive.
"""
