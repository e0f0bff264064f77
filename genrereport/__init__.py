"""genrereport: turn the Spotify genre study into a website that people read."""

__version__ = "0.1.0"
