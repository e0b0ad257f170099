"""Response shaping: typed values from the services -> the JSON objects of API.md. Used by resources only."""
