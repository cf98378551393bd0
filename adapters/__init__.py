"""Channel adapters: they translate channel events into the neutral model and render replies."""
