"""Road networks: graph building and repair, edge speeds and scenarios, routing, accessibility."""
