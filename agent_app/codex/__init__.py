"""Everything the agent knows about the Codex CLI: running it, reading its sessions."""
