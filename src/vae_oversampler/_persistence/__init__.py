"""Persistence: the archive, its typed JSON, and saving and loading a fitted sampler."""
