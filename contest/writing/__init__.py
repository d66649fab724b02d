"""Writing contests: journalists enter published articles, broadcast pieces and photos."""
