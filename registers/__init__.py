"""Registers kept by hand in the repository (shipped as package data)."""

from pathlib import Path

# What a relative register path in the embedded defaults ("registers/…") is read against.
REGISTERS_PARENT = Path(__file__).resolve().parent.parent
