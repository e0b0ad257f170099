"""HTTP plumbing shared by all resources: bodies, cookies, client address, middleware."""
