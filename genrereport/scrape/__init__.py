"""`genrereport scrape`: gather new pulls from the Spotify Web API (see command.py)."""
