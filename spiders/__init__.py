"""Spiders: discovery only. Generic portals need none of their own; see crawler/portals.toml."""
