"""The relay: a Falcon app (served by waitress) that hosts the phone app and brokers tasks."""
