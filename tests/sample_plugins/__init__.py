"""Small in-repo plugins for the plugin-kernel tests."""
