"""Deterministic generators of the embedded demonstration data (synthetic, and derived tables).

``python -m finsamlib.synth`` (or ``make data``) regenerates every generated file under
``data/raw/`` byte-identically. Each generator module exposes ``generate(raw_dir) -> list[str]``
returning the paths (relative to ``raw_dir``) it wrote.
"""
