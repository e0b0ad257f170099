"""Templates behind `scaffold-production`: systemd units, a Caddyfile and NEXT_STEPS.md, one module each.

Every renderer is a pure function of a `Deployment` (what the configs say plus where
`mobile-codex` is installed), so the same configs always give byte-identical files.
"""
