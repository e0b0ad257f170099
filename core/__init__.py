"""The shared kernel: config models, feature flags, the plugin contract and its manager."""
