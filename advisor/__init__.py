"""Nearshoring Advisor: question answering with cited passages over a nearshoring-to-Mexico corpus."""

__version__ = "0.1.0"
