"""The conversation: engine, flows, chat pages and the router."""
