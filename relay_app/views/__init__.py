"""How the relay's results look on the wire: resources render what services return with these.

They shape JSON-ready dicts and change nothing; only the state view reads, inside the one read
transaction its resource opens, so that every part of it is from the same snapshot.
"""
