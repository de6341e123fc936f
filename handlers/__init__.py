"""Message handlers: pure understanding of what people write, and the actions it leads to."""
