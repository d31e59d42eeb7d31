"""Outbound network access: the one fetch policy (`policy`) and the HTTP client that obeys it (`http`)."""
