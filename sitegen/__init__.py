"""sitegen: evidence-first static sites for data investigations."""

__version__ = "0.1.0"
