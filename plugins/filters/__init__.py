"""Built-in text filters: what every text the agent sends the relay passes through first."""
