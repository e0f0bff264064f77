"""Fake HTTP services for the tests: a Spotify Web API and ReccoBeats, served on 127.0.0.1."""
