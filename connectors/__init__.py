"""Connectors: fetch and parse one source each. They know nothing about the database."""
