"""Domain events: their kinds (`kinds`) and their delivery to every process (`delivery`, `channel`).
A leaf: it imports no app."""
