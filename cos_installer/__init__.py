"""COS installer: turns an operator's answers into an installed COS disk."""

__version__ = "0.1.0"
